import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

/// `--durable` on a Redis Cluster: the `WAIT` goes to the master that owns the queue, so it counts
/// that master's replicas, whichever master the URL names.
@Suite("Durable enqueue on a Redis Cluster", .serialized) struct ClusterDurableTests {
    @Test func durableEnqueueWaitsForTheReplicaOfTheQueuesOwnMaster() throws {
        let cluster = try RedisCluster()
        let names = try cluster.queueNamesOnEachNode()
        let replica = try cluster.addReplica(of: cluster.nodes[1])
        var configuration = Queue.Configuration()
        configuration.durableTimeout = .milliseconds(500)
        // The URL names the first master, which has no replica; the queue lives on the second.
        let connection = try RedisConnection(configuration: RedisConfiguration(url: cluster.url))
        let replicated = Queue(name: names[1], connection: connection, configuration: configuration)

        var direct = try RedisConfiguration(url: replica.url)
        direct.evictionCheck = .ignore
        let onReplica = try RedisConnection(configuration: direct)
        let itself = RedisConfiguration.Endpoint.tcp(host: "127.0.0.1", port: replica.port)
        try onReplica.command(["READONLY"], on: itself)
        for round in 0..<10 {
            let id = try replicated.enqueue(payload: #"{"round":\#(round)}"#, options: EnqueueOptions(durable: true)).id
            #expect(try jobIsStored(id, QueueKeys(queue: names[1])) { try onReplica.command($0, on: itself) }, "round \(round): the replica has it on return")
        }

        for name in [names[0], names[2]] {
            let alone = Queue(name: name, connection: connection, configuration: configuration)
            let error = try #require(throws: JobQueueError.self) { try alone.enqueue(payload: "{}", options: EnqueueOptions(durable: true)) }
            #expect(error.code == .notReplicated, "\(name): its master has no replica")
            #expect(try alone.counts().waiting == 1, "written on the master all the same")
        }
    }
}
