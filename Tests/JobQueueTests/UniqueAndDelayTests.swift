import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

@Suite("Unique keys, delays, cancellation") struct UniqueAndDelayTests {
    @Test func uniqueKeyRefusesASecondJobWhileTheFirstIsWaitingOrRunning() throws {
        let queue = try TestRedis.queue()
        let first = try queue.enqueue(payload: "1", options: EnqueueOptions(uniqueKey: "doc-7"))
        guard case .enqueued = first else { Issue.record("first refused"); return }
        #expect(try queue.enqueue(payload: "2", options: EnqueueOptions(uniqueKey: "doc-7")) == .duplicate(existingID: first.id))
        let consumer = try Consumer(queue: queue)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        #expect(try queue.enqueue(payload: "3", options: EnqueueOptions(uniqueKey: "doc-7")) == .duplicate(existingID: first.id))
        try consumer.ack(job)
        guard case .enqueued = try queue.enqueue(payload: "4", options: EnqueueOptions(uniqueKey: "doc-7")) else {
            Issue.record("unique key not released by the ack")
            return
        }
    }

    @Test func delayedJobIsNotRunBeforeItIsDueAndIsRunWhenDue() throws {
        let queue = try TestRedis.queue()
        let id = try queue.enqueue(payload: "1", options: EnqueueOptions(delay: .milliseconds(700))).id
        #expect(try queue.job(id: id)?.state == .delayed)
        let consumer = try Consumer(queue: queue)
        let start = ContinuousClock.now
        guard case .empty(let next) = try consumer.reserve(waitingUpTo: .milliseconds(100)) else { Issue.record("ran early"); return }
        #expect(next != nil)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(5)) else { Issue.record("delayed job never ran"); return }
        #expect(job.id == id)
        #expect(ContinuousClock.now - start >= .milliseconds(600))
    }

    @Test func cancelledWaitingJobIsNeverRun() throws {
        let queue = try TestRedis.queue()
        let cancelled = try queue.enqueue(payload: "1").id
        let kept = try queue.enqueue(payload: "2").id
        #expect(try queue.cancel(id: cancelled) == .waiting)
        let consumer = try Consumer(queue: queue)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        #expect(job.id == kept)
        #expect(try queue.job(id: cancelled) == nil)
        #expect(throws: JobQueueError.self) { try queue.cancel(id: job.id) }
    }

    @Test func cancelledDelayedJobIsDeleted() throws {
        let queue = try TestRedis.queue()
        let id = try queue.enqueue(payload: "1", options: EnqueueOptions(delay: .seconds(60), uniqueKey: "u")).id
        #expect(try queue.cancel(id: id) == .delayed)
        #expect(try queue.job(id: id) == nil)
        #expect(try queue.counts().delayed == 0)
        guard case .enqueued = try queue.enqueue(payload: "1", options: EnqueueOptions(uniqueKey: "u")) else {
            Issue.record("unique key kept after cancel")
            return
        }
        let missing = try #require(throws: JobQueueError.self) { try queue.cancel(id: "nope") }
        #expect(missing.code == .jobNotFound)
    }

    @Test func pausedQueueHandsOutNothingUntilResumed() throws {
        let queue = try TestRedis.queue()
        try queue.enqueue(payload: "1")
        try queue.pause()
        let consumer = try Consumer(queue: queue)
        #expect(try consumer.reserve(waitingUpTo: .milliseconds(200)) == .paused)
        #expect(try queue.counts().waiting == 1)
        try queue.resume()
        guard case .job = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("not resumed"); return }
    }

    @Test func jobFetchedWhileBlockedIsHandedBackWhenThePauseLandsFirst() throws {
        let queue = try TestRedis.queue()
        let consumer = try Consumer(queue: queue)
        // The consumer is blocked in BLMOVE; a job arrives and, before the reserve script runs, the
        // queue is paused. Simulate the interleaving by moving the entry as BLMOVE would.
        let id = try queue.enqueue(payload: "1").id
        try queue.connection.command(["LMOVE", RedisArgument(queue.keys.wait), RedisArgument(queue.keys.claim(consumer.id)), "RIGHT", "LEFT"])
        try queue.pause()
        #expect(try consumer.reserve(waitingUpTo: .zero) == .paused)
        #expect(try queue.connection.command(["LLEN", RedisArgument(queue.keys.claim(consumer.id))]).integer == 0)
        try queue.resume()
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("job lost"); return }
        #expect(job.id == id)
    }
}
