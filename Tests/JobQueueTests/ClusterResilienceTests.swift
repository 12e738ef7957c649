import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

/// A Redis Cluster that is not all there: an ACL that denies `CLUSTER SLOTS`, and a master down
/// (the one the URL names, which also holds the queue registry) while the others serve.
@Suite("Queues on a Redis Cluster that is not all there", .serialized) struct ClusterResilienceTests {
    @Test func withoutClusterSlotsTheMapIsLearnedOneMovedAtATime() throws {
        let cluster = try RedisCluster()
        for node in cluster.nodes {
            try cluster.command(["ACL", "SETUSER", "noslots", "on", ">pw", "~*", "&*", "+@all", "-cluster"], on: node)
        }
        var configuration = try RedisConfiguration(url: cluster.url)
        (configuration.username, configuration.password) = ("noslots", "pw")
        let connection = try RedisConnection(configuration: configuration)
        for name in try cluster.queueNamesOnEachNode() {
            let queue = Queue(name: name, connection: connection)
            try queue.enqueue(payload: "{}")
            try queue.enqueue(payload: "{}")
            #expect(try queue.counts().waiting == 2, "\(name)")
        }
    }

    @Test func queuesOnLiveMastersWorkWhileTheURLsMasterAndTheRegistryAreDown() throws {
        let cluster = try RedisCluster()
        for node in cluster.nodes { try cluster.command(["CONFIG", "SET", "cluster-require-full-coverage", "no"], on: node) }
        let registryNode = try cluster.owner(ofSlot: cluster.slot(of: QueueKeys.registry))
        let live = try cluster.queueNamesOnEachNode().filter { name in
            try cluster.owner(ofSlot: cluster.slot(of: QueueKeys(queue: name).base)) !== registryNode
        }
        #expect(live.count == 2)
        // The URL names the registry's master; the connection has learnt the map before it goes.
        let connection = try RedisConnection(configuration: RedisConfiguration(url: registryNode.url))
        #expect(try connection.isCluster)
        registryNode.stop()
        #expect(eventually(timeout: .seconds(15)) {
            let others = cluster.nodes.filter { $0 !== registryNode }
            return others.allSatisfy { (try? cluster.command(["CLUSTER", "INFO"], on: $0).string?.contains("cluster_state:ok")) == true }
                && (try? cluster.command(["CLUSTER", "NODES"], on: others[0]).string?.contains("fail")) == true
        })
        for name in live {
            // A new handle registers with its first write: the registry's node is down, the write is not.
            let queue = Queue(name: name, connection: connection)
            let enqueued = try queue.enqueue(payload: "{}")
            #expect(!enqueued.id.isEmpty)
            #expect(try queue.counts().waiting == 1, "\(name)")
        }
        #expect(try connection.primaries().count == 3, "the slot map still names the master that is down")
        // What stats reads finds the queues on the live masters, and says what it cannot know.
        #expect(Set(try Queue.knownNames(on: connection)).isSuperset(of: live))
        #expect(try RedisMemory.read(on: connection).unreadable != nil)
        let liveURL = try #require(cluster.nodes.first { $0 !== registryNode }).url
        let stats = try CommandRun.run("jobq", ["stats"], environment: ["JOBQ_REDIS_URL": liveURL])
        #expect(stats.status == 0, "\(stats.standardError)")
        #expect(live.allSatisfy { stats.standardOutput.contains("\($0.rawValue): OK") }, "\(stats.standardOutput)")
    }
}
