import Foundation
@testable import JobQueue
import JobqTestSupport
import RedisClient
import Testing

@Suite("Failures, retries, dead letters") struct FailureAndDeadLetterTests {
    private func fastRetryQueue(_ label: String = #function) throws -> Queue {
        var configuration = Queue.Configuration()
        configuration.retryBackoff = Backoff(base: .milliseconds(50), cap: .milliseconds(100))
        return try TestRedis.queue(label, configuration: configuration)
    }

    @Test func failedJobIsRetriedAfterBackoffThenDeadLetteredAfterMaxAttempts() throws {
        let queue = try fastRetryQueue()
        let id = try queue.enqueue(payload: "1", options: EnqueueOptions(maxAttempts: 3)).id
        let consumer = try Consumer(queue: queue)
        for attempt in 1...3 {
            guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(3)) else { Issue.record("attempt \(attempt) missing"); return }
            #expect(job.attempt == attempt)
            let outcome = try consumer.fail(job, error: "boom \(attempt)")
            if attempt < 3 {
                guard case .retryScheduled = outcome else { Issue.record("expected a retry, got \(outcome)"); return }
                #expect(try queue.job(id: id)?.state == .delayed)
            } else {
                guard case .deadLettered(let reason) = outcome else { Issue.record("expected dead letter, got \(outcome)"); return }
                #expect(reason.contains("3 of 3"))
            }
        }
        let record = try #require(try queue.job(id: id))
        #expect(record.state == .dead)
        #expect(record.attempts == 3)
        #expect(record.lastError == "boom 3")
        #expect(record.deadAt != nil)
        #expect(try queue.deadLetters(limit: 10).map(\.id) == [id])
    }

    @Test func permanentFailureDeadLettersAtOnceWithItsReason() throws {
        let queue = try fastRetryQueue()
        let id = try queue.enqueue(payload: "1", options: EnqueueOptions(type: "mystery")).id
        let consumer = try Consumer(queue: queue)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        #expect(try consumer.fail(job, error: "no handler", permanently: true, reason: "unknown type") == .deadLettered(reason: "unknown type"))
        #expect(try queue.job(id: id)?.deadReason == "unknown type")
    }

    @Test func onlyTheLeaseOwnerCanSettleAJob() throws {
        let queue = try fastRetryQueue()
        try queue.enqueue(payload: "1")
        let consumer = try Consumer(queue: queue)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        let forged = ReservedJobForgery.withToken("someone-else/1", from: job)
        #expect(try consumer.ack(forged) == false)
        #expect(try consumer.fail(forged, error: "x") == .stale)
        #expect(try consumer.extendLease(forged) == .lost)
        #expect(try consumer.release(forged) == false)
        #expect(try queue.job(id: job.id)?.state == .active)
        #expect(try consumer.extendLease(job) == .extended)
        #expect(try consumer.ack(job))
    }

    @Test func retryLaterPutsTheJobBackWithoutSpendingAnAttempt() throws {
        let queue = try fastRetryQueue()
        let id = try queue.enqueue(payload: "1", options: EnqueueOptions(maxAttempts: 1)).id
        let consumer = try Consumer(queue: queue)
        for _ in 0..<3 {
            guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(2)) else { Issue.record("no job"); return }
            #expect(job.attempt == 1)
            #expect(try consumer.release(job, after: .milliseconds(30)))
        }
        #expect(try queue.job(id: id)?.state == .delayed)
    }

    @Test func deadLettersAreRetriedWithAFreshAttemptCount() throws {
        let queue = try fastRetryQueue()
        let id = try queue.enqueue(payload: "1", options: EnqueueOptions(maxAttempts: 1)).id
        let consumer = try Consumer(queue: queue)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        _ = try consumer.fail(job, error: "x")
        #expect(try queue.retryDead(ids: nil) == Queue.RetriedDeadLetters(requeued: 1))
        guard case .job(let again) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("not retried"); return }
        #expect(again.id == id)
        #expect(again.attempt == 1)
        #expect(try queue.counts().dead == 0)
    }

    @Test func deadLettersAreTrimmedByCountAndTrimmingDeletesTheirData() throws {
        let queue = try fastRetryQueue()
        try queue.connection.command(["HSET", RedisArgument(queue.keys.config), "dead_max_count", "3"])
        let consumer = try Consumer(queue: queue)
        var ids: [String] = []
        for n in 0..<5 {
            ids.append(try queue.enqueue(payload: String(n), options: EnqueueOptions(maxAttempts: 1)).id)
            guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
            _ = try consumer.fail(job, error: "x")
        }
        #expect(try queue.counts().dead == 3)
        #expect(try queue.job(id: ids[0]) == nil)
        #expect(try queue.job(id: ids[1]) == nil)
        #expect(try queue.job(id: ids[4])?.state == .dead)
    }

    @Test func deadLettersOlderThanTheMaximumAgeAreDeleted() throws {
        let queue = try fastRetryQueue()
        try queue.connection.command(["HSET", RedisArgument(queue.keys.config), "dead_max_age_ms", "100"])
        let consumer = try Consumer(queue: queue)
        let old = try queue.enqueue(payload: "1", options: EnqueueOptions(maxAttempts: 1)).id
        guard case .job(let first) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        _ = try consumer.fail(first, error: "x")
        usleep(250_000)
        try queue.enqueue(payload: "2", options: EnqueueOptions(maxAttempts: 1))
        guard case .job(let second) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        _ = try consumer.fail(second, error: "x")
        #expect(try queue.job(id: old) == nil)
        #expect(try queue.counts().dead == 1)
    }
}

/// Builds a copy of a reserved job with another lease token, to prove a stranger cannot settle it.
enum ReservedJobForgery {
    static func withToken(_ token: String, from job: ReservedJob) -> ReservedJob {
        ReservedJob(id: job.id, type: job.type, body: job.body, attempt: job.attempt, maxAttempts: job.maxAttempts,
                    crashes: job.crashes, token: token, enqueuedAt: job.enqueuedAt, startedAt: job.startedAt, fencingToken: nil)
    }
}
