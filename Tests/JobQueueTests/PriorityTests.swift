import Foundation
@testable import JobQueue
import JobqTestSupport
import RedisClient
import Synchronization
import Testing

/// Priorities: strict order between levels, no starvation, plain pushes normal, blocked workers wake.
@Suite("Priorities") struct PriorityTests {
    /// Takes every waiting job, acking each, and returns their ids in the order taken.
    private func drain(_ consumer: Consumer) throws -> [String] {
        var ids: [String] = []
        while case .job(let job) = try consumer.reserve(waitingUpTo: .zero) {
            ids.append(job.id)
            #expect(try consumer.ack(job))
        }
        return ids
    }

    private func enqueue(_ queue: Queue, _ id: String, _ priority: JobPriority) throws {
        try queue.enqueue(payload: "1", options: EnqueueOptions(id: id, priority: priority))
    }

    @Test func highJobsGoBeforeNormalOnesAndNormalBeforeLowInEnqueueOrder() throws {
        let queue = try TestRedis.queue()
        for (id, priority) in [("l1", JobPriority.low), ("n1", .normal), ("h1", .high), ("n2", .normal), ("l2", .low), ("h2", .high)] {
            try enqueue(queue, id, priority)
        }
        #expect(try queue.counts().waiting == 6)
        let stats = try queue.stats()
        #expect(stats.jobs.waiting == 6 && stats.jobs.waitingHigh == 2 && stats.jobs.waitingLow == 2)
        #expect(try queue.job(id: "h1")?.priority == .high)
        #expect(try drain(try Consumer(queue: queue)) == ["h1", "h2", "n1", "n2", "l1", "l2"])
    }

    @Test func aPlainPushIsNormalPriorityAndAPushedMessageMayNameItsLevel() throws {
        let queue = try TestRedis.queue()
        try queue.connection.command(["LPUSH", RedisArgument(queue.keys.wait), #"{"id":"plain","payload":1}"#])
        try enqueue(queue, "low", .low)
        try enqueue(queue, "high", .high)
        try queue.connection.command(["LPUSH", RedisArgument(queue.keys.wait(.high)), #"{"id":"pushed-high","payload":1,"priority":"high"}"#])
        try queue.connection.command(["LPUSH", RedisArgument(queue.keys.wait), #"{"id":"bad","payload":1,"priority":"urgent"}"#])
        #expect(try drain(try Consumer(queue: queue)) == ["high", "pushed-high", "plain", "low"])
        #expect(try queue.deadLetters().map(\.deadReason) == [#"malformed: "priority" must be "high", "normal" or "low""#])
    }

    @Test func aLowerLevelGetsAJobAfterTenInARowWereTakenAboveIt() throws {
        let queue = try TestRedis.queue()
        for n in 0..<3 { try enqueue(queue, "l\(n)", .low) }
        for n in 0..<3 { try enqueue(queue, "n\(n)", .normal) }
        for n in 0..<25 { try enqueue(queue, "h\(n)", .high) }
        let order = try drain(try Consumer(queue: queue))
        #expect(order.count == 31)
        // Normal was skipped 10 times by h0...h9, low too: low is served first, then normal.
        #expect(Array(order.prefix(12)) == (0..<10).map { "h\($0)" } + ["l0", "n0"], "\(order)")
        // Each level counts the jobs taken above it while it waits: low's count includes n0, so low
        // is due again after 9 more high jobs, and normal one job later.
        #expect(order[12..<21].allSatisfy { $0.hasPrefix("h") }, "\(order)")
        #expect(Array(order[21...23]) == ["l1", "h19", "n1"], "\(order)")
        #expect(order.filter { $0.hasPrefix("n") } == ["n0", "n1", "n2"] && order.filter { $0.hasPrefix("l") } == ["l0", "l1", "l2"])
        #expect(order.last == "l2")
    }

    @Test func aLevelsCountStartsOverWhenItGetsAJobEvenOnceTheLevelsAboveAreEmpty() throws {
        let queue = try TestRedis.queue()
        let consumer = try Consumer(queue: queue)
        for n in 0..<2 { try enqueue(queue, "n\(n)", .normal) }
        for n in 0..<5 { try enqueue(queue, "h\(n)", .high) }
        var order: [String] = []
        for _ in 0..<6 {  // h0...h4 (normal counts 5), then n0, taken once no high job waits
            guard case .job(let job) = try consumer.reserve(waitingUpTo: .zero) else { Issue.record("no job"); return }
            order.append(job.id)
            #expect(try consumer.ack(job))
        }
        #expect(order == ["h0", "h1", "h2", "h3", "h4", "n0"])
        // n0's turn ended normal's count: n1 waits behind ten high jobs, not five.
        for n in 5..<17 { try enqueue(queue, "h\(n)", .high) }
        #expect(try drain(consumer) == (5..<15).map { "h\($0)" } + ["n1", "h15", "h16"])
        #expect(try queue.connection.command(["EXISTS", RedisArgument(queue.keys.key(.priority))]).integer == 0)
    }

    @Test func retriesAndRequeuesKeepTheirLevel() throws {
        var configuration = Queue.Configuration()
        configuration.retryBackoff = Backoff(base: .milliseconds(1), cap: .milliseconds(1))
        let queue = try TestRedis.queue(configuration: configuration)
        try enqueue(queue, "h", .high)
        let consumer = try Consumer(queue: queue)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .zero) else { Issue.record("no job"); return }
        _ = try consumer.fail(job, error: "once")
        try enqueue(queue, "n", .normal)
        usleep(150_000)  // the retry is due, and so is the consumer's next promotion of due jobs
        #expect(try drain(consumer) == ["h", "n"])
        try enqueue(queue, "h2", .high)
        guard case .job(let running) = try consumer.reserve(waitingUpTo: .zero) else { Issue.record("no job"); return }
        try enqueue(queue, "n2", .normal)
        #expect(try consumer.release(running))
        #expect(try drain(consumer) == ["h2", "n2"])
    }

    @Test func aWorkerBlockedOnAnEmptyQueueWakesAtOnceForAHighOrLowJob() throws {
        let queue = try TestRedis.queue()
        let consumer = try Consumer(queue: Queue(name: queue.name, connection: try TestRedis.connection()))
        for priority in [JobPriority.high, .low] {
            let taken = Mutex<(String, Duration)?>(nil)
            let done = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                let start = ContinuousClock.now
                if case .job(let job) = try? consumer.reserve(waitingUpTo: .seconds(20)) {
                    taken.withLock { $0 = (job.id, ContinuousClock.now - start) }
                    _ = try? consumer.ack(job)
                }
                done.signal()
            }
            usleep(300_000)  // the consumer is now blocked in BLMOVE on the empty normal list
            try enqueue(queue, "\(priority)", priority)
            #expect(done.wait(timeout: .now() + 5) == .success)
            let result = try #require(taken.withLock { $0 })
            #expect(result.0 == "\(priority)")
            #expect(result.1 < .seconds(2), "woke after \(result.1)")
        }
        // The wake entry is not a job: nothing is left, nothing counted.
        #expect(try drain(consumer).isEmpty)
        #expect(try queue.stats().jobs.waiting == 0)
    }

    @Test func aBatchOfHighJobsWakesEveryBlockedWorkerNotJustOne() throws {
        let queue = try TestRedis.queue()
        let consumers = try (0..<3).map { _ in try Consumer(queue: Queue(name: queue.name, connection: try TestRedis.connection())) }
        let taken = Mutex<[String]>([])
        let done = DispatchSemaphore(value: 0)
        for consumer in consumers {
            Thread.detachNewThread {
                if case .job(let job) = try? consumer.reserve(waitingUpTo: .seconds(30)) {
                    taken.withLock { $0.append(job.id) }
                }
                done.signal()
            }
        }
        usleep(300_000)  // the consumers are now blocked in BLMOVE on the empty normal list
        try queue.enqueue(batch: (0..<3).map { NewJob(payload: "1", options: EnqueueOptions(id: "h\($0)", priority: .high)) })
        // One wake entry wakes one consumer; each one passes it on. Without that the other two
        // would sleep out their 30 s wait with jobs waiting.
        for _ in consumers { #expect(done.wait(timeout: .now() + 10) == .success) }
        #expect(taken.withLock { $0.sorted() } == ["h0", "h1", "h2"])
        #expect(try queue.stats().jobs.waiting == 0)
    }

    @Test func jobsPutBackAtTheFrontDoNotBuryAWakeEntryWhereCountsMissIt() throws {
        let queue = try TestRedis.queue()
        let consumer = try Consumer(queue: queue)
        var running: [ReservedJob] = []
        for n in 0..<6 {
            try enqueue(queue, "n\(n)", .normal)
            guard case .job(let job) = try consumer.reserve(waitingUpTo: .zero) else { Issue.record("no job"); return }
            running.append(job)
        }
        try enqueue(queue, "h", .high)  // the normal list is empty: a wake entry goes on it
        for job in running { #expect(try consumer.release(job)) }  // each at the front of the normal list
        #expect(try queue.counts().waiting == 7)
        #expect(try queue.stats().jobs.waiting == 7)
        #expect(try drain(consumer) == ["h", "n5", "n4", "n3", "n2", "n1", "n0"])
    }

    @Test func aStaleWakeEntryIsNotCountedAndIsDroppedQuietly() throws {
        let queue = try TestRedis.queue()
        try enqueue(queue, "h", .high)
        #expect(try queue.connection.command(["LLEN", RedisArgument(queue.keys.wait)]).integer == 1)
        let stats = try queue.stats()
        #expect(stats.jobs.waiting == 1 && stats.oldestWaiting?.enqueuedAt != nil)
        try enqueue(queue, "n", .normal)
        #expect(try drain(try Consumer(queue: queue)) == ["h", "n"])
        #expect(try queue.stats().counters.total.orphaned == 0)
    }
}
