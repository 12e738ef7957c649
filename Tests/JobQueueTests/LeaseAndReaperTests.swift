import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

@Suite("Leases and the reaper") struct LeaseAndReaperTests {
    private func shortLeaseQueue(_ label: String = #function, lease: Duration = .milliseconds(200)) throws -> Queue {
        var configuration = Queue.Configuration()
        configuration.lease = lease
        configuration.reapInterval = .milliseconds(50)
        configuration.consumerTTL = .milliseconds(300)
        return try TestRedis.queue(label, configuration: configuration)
    }

    @Test func leaseExpiryRequeuesJobAndCountsACrashAttempt() throws {
        let queue = try shortLeaseQueue()
        let id = try queue.enqueue(payload: "1").id
        let consumer = try Consumer(queue: queue)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        #expect(try queue.reap(holder: "test")?.requeued == 0)
        usleep(300_000)
        try #require(eventually { try queue.reap(holder: "test")?.requeued == 1 })
        let record = try #require(try queue.job(id: id))
        #expect(record.state == .waiting)
        #expect(record.crashes == 1)
        #expect(record.lastCrash == "lease expired")
        #expect(try consumer.ack(job) == false, "the old lease can no longer ack")
        guard case .job(let again) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("not requeued"); return }
        #expect(again.attempt == 2)
        #expect(again.crashes == 1)
    }

    @Test func leaseExpiryOnTheLastAttemptDeadLettersTheJob() throws {
        var configuration = Queue.Configuration()
        configuration.lease = .milliseconds(100)
        configuration.reapInterval = .milliseconds(20)
        configuration.poisonThreshold = 0
        let queue = try TestRedis.queue(configuration: configuration)
        let id = try queue.enqueue(payload: "1", options: EnqueueOptions(maxAttempts: 1)).id
        let consumer = try Consumer(queue: queue)
        guard case .job = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        usleep(200_000)
        try #require(eventually { try queue.reap(holder: "t")?.deadLettered == 1 })
        #expect(try queue.job(id: id)?.deadReason?.contains("lease expired") == true)
    }

    @Test func extendingTheLeaseKeepsTheReaperAway() throws {
        let queue = try shortLeaseQueue()
        try queue.enqueue(payload: "1")
        let consumer = try Consumer(queue: queue)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        for _ in 0..<6 {
            usleep(100_000)
            #expect(try consumer.extendLease(job) == .extended)
            _ = try queue.reap(holder: "t")
        }
        #expect(try queue.job(id: job.id)?.state == .active)
        #expect(try consumer.ack(job))
    }

    @Test func onlyOneReaperRunsPerInterval() throws {
        var configuration = Queue.Configuration()
        configuration.reapInterval = .seconds(30)
        let queue = try TestRedis.queue(configuration: configuration)
        #expect(try queue.reap(holder: "a") != nil)
        #expect(try queue.reap(holder: "b") == nil)
        #expect(try queue.reap(holder: "a") == nil)
    }

    @Test func entryFetchedByAConsumerThatDiedBeforeLeasingIsHandedBack() throws {
        let queue = try shortLeaseQueue()
        let id = try queue.enqueue(payload: "1").id
        // A consumer that fetched with BLMOVE and died before its reserve script ran.
        let ghost = try Consumer(queue: queue, id: "ghost")
        try queue.connection.command(["LMOVE", RedisArgument(queue.keys.wait), RedisArgument(queue.keys.claim(ghost.id)), "RIGHT", "LEFT"])
        #expect(try queue.counts().waiting == 0)
        usleep(400_000)
        try #require(eventually { (try queue.reap(holder: "t")?.orphansReturned ?? 0) == 1 })
        let consumer = try Consumer(queue: queue)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("orphan lost"); return }
        #expect(job.id == id)
    }

    @Test func recoveringADeadConsumerBlamesItsJobAndQuarantinesPoisonAfterTwoCrashes() throws {
        let queue = try shortLeaseQueue(lease: .seconds(30))
        let poison = try queue.enqueue(payload: #"{"poison":true}"#).id
        var outcomes: [String] = []
        for round in 1...2 {
            let consumer = try Consumer(queue: queue, id: "worker-\(round)")
            guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
            #expect(job.id == poison)
            outcomes += try queue.recoverConsumer(consumer.id, cause: "OOM").map(\.outcome)
        }
        #expect(outcomes == ["requeued", "poison"])
        let record = try #require(try queue.job(id: poison))
        #expect(record.state == .dead)
        #expect(record.crashes == 2)
        #expect(record.deadReason == "poison: killed the worker 2 times (OOM)")
    }
}
