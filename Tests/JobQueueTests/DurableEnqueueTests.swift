import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

/// `EnqueueOptions.durable`: the enqueue returns once a replica has the job, or fails clearly.
@Suite("Durable enqueue waits for a replica") struct DurableEnqueueTests {
    @Test func durableEnqueueReturnsOnlyOnceTheReplicaHasTheJob() throws {
        let master = try RedisServer()
        defer { master.stop() }
        let replica = try RedisServer(arguments: ["--replicaof", "127.0.0.1", String(master.port), "--repl-diskless-sync-delay", "0"])
        defer { replica.stop() }
        let onReplica = try RedisConnection(configuration: RedisConfiguration(url: replica.url))
        try #require(eventually(timeout: .seconds(10)) {
            (try? onReplica.command(["INFO", "replication"]).string?.contains("master_link_status:up")) == true
        })
        let queue = Queue(name: try uniqueQueueName(), connection: try RedisConnection(configuration: RedisConfiguration(url: master.url)))
        for round in 0..<20 {
            let id = try queue.enqueue(payload: #"{"round":\#(round)}"#, options: EnqueueOptions(durable: true)).id
            // No waiting here: the replica must already have it when the call returns.
            #expect(try jobIsStored(id, queue.keys, onReplica.command), "round \(round)")
        }
        let batch = try queue.enqueue(batch: (0..<600).map { NewJob(payload: #"{"n":\#($0)}"#, options: EnqueueOptions(durable: $0 == 0)) })
        #expect(try jobIsStored(batch.last!.id, queue.keys, onReplica.command))
    }

    @Test func durableEnqueueWithoutAReplicaFailsNamingTheRisk() throws {
        var configuration = Queue.Configuration()
        configuration.durableTimeout = .milliseconds(300)
        let queue = try TestRedis.queue(configuration: configuration)
        let started = ContinuousClock.now
        let error = try #require(throws: JobQueueError.self) {
            try queue.enqueue(payload: "{}", options: EnqueueOptions(id: "durable-1", durable: true))
        }
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(error.code == .notReplicated)
        #expect(error.message.contains("durable-1") && error.message.contains("no replica confirmed"))
        // The job is on the master; enqueueing it again says so.
        #expect(try queue.counts().waiting == 1)
        #expect(throws: JobQueueError.self) { try queue.enqueue(payload: "{}", options: EnqueueOptions(id: "durable-1", durable: true)) }
        // A plain enqueue does not wait.
        try queue.enqueue(payload: "{}")
        #expect(try queue.counts().waiting == 2)
    }

    @Test func durableTimeoutMustBeShorterThanTheCommandTimeout() throws {
        var configuration = Queue.Configuration()
        configuration.durableTimeout = .seconds(60)
        let queue = try TestRedis.queue(configuration: configuration)
        let error = try #require(throws: JobQueueError.self) { try queue.enqueue(payload: "{}", options: EnqueueOptions(durable: true)) }
        #expect(error.code == .invalidJob && error.message.contains("command timeout"))
        #expect(try queue.counts().waiting == 0)
    }
}
