import Foundation
@testable import JobQueue
import JobqTestSupport
import RedisClient
import Synchronization
import Testing

/// Finished jobs kept as the queue's history: what is recorded, and how it is bounded.
@Suite("History of finished jobs") struct HistoryTests {
    private func queue(_ label: String = #function) throws -> Queue {
        var configuration = Queue.Configuration()
        configuration.retryBackoff = Backoff(base: .milliseconds(20), cap: .milliseconds(40))
        return try TestRedis.queue(label, configuration: configuration)
    }

    /// Reserves the next job, failing the test when there is none.
    private func take(_ consumer: Consumer) throws -> ReservedJob {
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(2)) else { throw TestFailure("no job to take") }
        return job
    }

    /// The job hashes of the queue: what is left in Redis, whatever indexes say.
    private func jobHashes(_ queue: Queue) throws -> Set<String> {
        var ids: Set<String> = []
        try queue.connection.scan(matching: queue.keys.key(.job) + "*") { keys in
            ids.formUnion(keys.map { String($0.dropFirst(queue.keys.key(.job).count)) })
        }
        return ids
    }

    @Test func withoutAHistoryACompletedJobIsDeleted() throws {
        let queue = try queue()
        let id = try queue.enqueue(payload: "1").id
        let consumer = try Consumer(queue: queue)
        #expect(try consumer.ack(try take(consumer), result: "ignored"))
        #expect(try queue.job(id: id) == nil)
        #expect(try jobHashes(queue).isEmpty)
        #expect(try queue.retention() == Retention(completed: nil, dead: Retention.defaultDead))
        #expect(try queue.history().isEmpty)
    }

    @Test func aKeptCompletedJobShowsItsOutcomeTimesAttemptsWorkerAndResult() throws {
        let queue = try queue()
        try queue.keepCompleted(RetentionLimit.parse("24h/100"))
        #expect(try queue.retention().completed == RetentionLimit(maxAgeMs: 86_400_000, maxCount: 100))
        let id = try queue.enqueue(payload: #"{"path":"guide.md"}"#, options: EnqueueOptions(type: "ingest.file")).id
        let consumer = try Consumer(queue: queue)
        let first = try take(consumer)
        #expect(try consumer.fail(first, error: "disk busy") != .stale)
        let second = try take(consumer)
        usleep(30_000)
        #expect(try consumer.ack(second, result: "12 chunks\nwritten"))
        let record = try #require(try queue.job(id: id))
        #expect(record.state == .completed)
        #expect(record.attempts == 2)
        #expect(record.type == "ingest.file")
        #expect(record.body.contains("guide.md"))
        #expect(record.result == "12 chunks\nwritten")
        #expect(record.owner == consumer.id)
        #expect(record.host == ProcessInfo.processInfo.hostName)
        #expect(record.pid == getpid())
        let enqueued = try #require(record.enqueuedAt), started = try #require(record.startedAt), finished = try #require(record.finishedAt)
        #expect(enqueued <= started && started + 30 <= finished)
        #expect(record.durationMs == finished - started)
        #expect(record.leaseUntil == nil)
        #expect(try queue.history().map(\.id) == [id])
    }

    @Test func aResultIsCutToItsLast4KiB() throws {
        let queue = try queue()
        try queue.keepCompleted(RetentionLimit.parse("1h/10"))
        let id = try queue.enqueue(payload: "1").id
        let consumer = try Consumer(queue: queue)
        let long = String(repeating: "é", count: 3000) + "end"
        #expect(try consumer.ack(try take(consumer), result: long))
        let result = try #require(try queue.job(id: id)?.result)
        #expect(result.utf8.count <= Consumer.resultMaxBytes && result.utf8.count > 4000)
        #expect(result.hasSuffix("éend"))
    }

    @Test func aCredentialIsMaskedBeforeTheResultIsCutSoNoPartOfItIsKept() throws {
        let queue = try queue()
        try queue.keepCompleted(RetentionLimit.parse("1h/10"))
        let id = try queue.enqueue(payload: "1").id
        let consumer = try Consumer(queue: queue)
        // Cut first, the kept 4 KiB would start inside the password ("...ter2@host/"), no longer
        // recognisable as part of a URL.
        let long = "redis://user:hunter2hunter2@host/" + String(repeating: "x", count: Consumer.resultMaxBytes - 10)
        #expect(try consumer.ack(try take(consumer), result: long))
        let result = try #require(try queue.job(id: id)?.result)
        #expect(result.utf8.count <= Consumer.resultMaxBytes && result.hasSuffix("xxx"))
        #expect(!result.contains("ter2") && !result.contains("hunter"), "\(result.prefix(40))")
    }

    @Test func theHistoryIsTrimmedByCountAndTrimmedJobsAreDeletedWhole() throws {
        let queue = try queue()
        try queue.keepCompleted(RetentionLimit.parse("1h/3"))
        let consumer = try Consumer(queue: queue)
        var ids: [String] = []
        for n in 0..<5 {
            ids.append(try queue.enqueue(payload: String(n), options: EnqueueOptions(uniqueKey: "u\(n)")).id)
            #expect(try consumer.ack(try take(consumer), result: "r\(n)"))
            usleep(2000)  // finish times a millisecond apart: the history's order is theirs
        }
        #expect(try queue.history(limit: 10).map(\.id) == ids.suffix(3).reversed())
        #expect(try jobHashes(queue) == Set(ids.suffix(3)))
        #expect(try queue.connection.command(["ZCARD", RedisArgument(queue.keys.completed)]).integer == 3)
    }

    @Test func theHistoryIsTrimmedByAge() throws {
        let queue = try queue()
        try queue.keepCompleted(RetentionLimit.parse("1s/100"))
        let consumer = try Consumer(queue: queue)
        let old = try queue.enqueue(payload: "1").id
        #expect(try consumer.ack(try take(consumer)))
        usleep(1_100_000)
        let new = try queue.enqueue(payload: "2").id
        #expect(try consumer.ack(try take(consumer)))
        #expect(try queue.job(id: old) == nil)
        #expect(try queue.history().map(\.id) == [new])
        #expect(try jobHashes(queue) == [new])
    }

    @Test func theReaperTrimsJobsPastTheirAgeWhenNoneFinishesAnyMore() throws {
        let queue = try queue()
        try queue.keepCompleted(RetentionLimit.parse("1s/100"))
        try queue.keepDeadLetters(RetentionLimit.parse("1s/100"))
        let consumer = try Consumer(queue: queue)
        let completed = try queue.enqueue(payload: "1").id
        #expect(try consumer.ack(try take(consumer)))
        let dead = try queue.enqueue(payload: "2").id
        _ = try consumer.fail(try take(consumer), error: "no", permanently: true)
        #expect(try queue.history().count == 2)
        usleep(1_100_000)
        #expect(try queue.reap(holder: "test") != nil)
        #expect(try queue.job(id: completed) == nil && queue.job(id: dead) == nil)
        #expect(try queue.history().isEmpty && jobHashes(queue).isEmpty)
    }

    @Test func loweringTheRetentionOrTurningItOffDeletesAtOnce() throws {
        let queue = try queue()
        try queue.keepCompleted(RetentionLimit.parse("1h/10"))
        let consumer = try Consumer(queue: queue)
        for n in 0..<6 {
            try queue.enqueue(payload: String(n))
            #expect(try consumer.ack(try take(consumer)))
        }
        #expect(try queue.keepCompleted(RetentionLimit.parse("1h/4")) == 2)
        #expect(try jobHashes(queue).count == 4)
        #expect(try queue.keepCompleted(nil) == 4)
        #expect(try jobHashes(queue).isEmpty)
        #expect(try queue.retention().completed == nil)
        let id = try queue.enqueue(payload: #""after""#).id
        #expect(try consumer.ack(try take(consumer)))
        #expect(try queue.job(id: id) == nil, "history off again: completed jobs are deleted")
    }

    @Test func deadLetterRetentionIsSetTheSameWay() throws {
        let queue = try queue()
        let consumer = try Consumer(queue: queue)
        for n in 0..<4 {
            try queue.enqueue(payload: String(n), options: EnqueueOptions(maxAttempts: 1))
            _ = try consumer.fail(try take(consumer), error: "boom")
        }
        #expect(try queue.keepDeadLetters(RetentionLimit.parse("7d/2")) == 2)
        #expect(try queue.counts().dead == 2)
        #expect(try jobHashes(queue).count == 2)
        #expect(try queue.retention().dead == RetentionLimit(maxAgeMs: 7 * 86_400_000, maxCount: 2))
    }

    @Test func aDeadJobShowsItsFinishTimeWorkerAndReasonAndIsListedAsFailed() throws {
        let queue = try queue()
        try queue.keepCompleted(RetentionLimit.parse("1h/10"))
        let consumer = try Consumer(queue: queue)
        let done = try queue.enqueue(payload: "1").id
        #expect(try consumer.ack(try take(consumer)))
        usleep(5_000)
        let doomed = try queue.enqueue(payload: "2", options: EnqueueOptions(maxAttempts: 1)).id
        _ = try consumer.fail(try take(consumer), error: "no such file")
        let record = try #require(try queue.job(id: doomed))
        #expect(record.state == .dead)
        #expect(record.finishedAt == record.deadAt && record.finishedAt != nil)
        #expect(record.durationMs != nil)
        #expect(record.owner == consumer.id && record.host == ProcessInfo.processInfo.hostName && record.pid == getpid())
        #expect(record.lastError == "no such file")
        #expect(try queue.history().map(\.id) == [doomed, done])
        #expect(try queue.history(failedOnly: true).map(\.id) == [doomed])
        #expect(try queue.history(limit: 1).map(\.id) == [doomed])
        #expect(try queue.retryDead(ids: [doomed]).requeued == 1)
        let again = try #require(try queue.job(id: doomed))
        #expect(again.state == .waiting && again.owner == nil && again.host == nil)
    }

    @Test func aJobReapedAfterItsWorkerDiedIsDeadWithItsLastWorker() throws {
        var configuration = Queue.Configuration()
        configuration.lease = .milliseconds(100)
        configuration.poisonThreshold = 1
        let queue = try TestRedis.queue(configuration: configuration)
        let id = try queue.enqueue(payload: "1").id
        let consumer = try Consumer(queue: queue)
        _ = try take(consumer)
        usleep(200_000)
        #expect(try queue.reap(holder: "test")?.deadLettered == 1)
        let record = try #require(try queue.job(id: id))
        #expect(record.state == .dead && record.owner == consumer.id && record.pid == getpid())
    }

    @Test func anIdKeptInTheHistoryCanBeEnqueuedAgainAndReplacesItsRecord() throws {
        let queue = try queue()
        try queue.keepCompleted(RetentionLimit.parse("1h/10"))
        let consumer = try Consumer(queue: queue)
        try queue.enqueue(payload: "1", options: EnqueueOptions(id: "nightly"))
        #expect(try consumer.ack(try take(consumer), result: "first"))
        #expect(try queue.enqueue(payload: "2", options: EnqueueOptions(id: "nightly")) == .enqueued(id: "nightly"))
        #expect(try queue.job(id: "nightly")?.state == .waiting)
        #expect(try queue.history().isEmpty)
        // A client's push with the same id is accepted the same way.
        #expect(try consumer.ack(try take(consumer), result: "second"))
        try queue.connection.command(["LPUSH", RedisArgument(queue.keys.wait), #"{"id":"nightly","payload":3}"#])
        let pushed = try take(consumer)
        #expect(pushed.id == "nightly" && pushed.attempt == 1)
        #expect(try consumer.ack(pushed, result: "third"))
        #expect(try queue.job(id: "nightly")?.result == "third")
        #expect(try queue.counts().dead == 0)
    }

    @Test func aJobRefusedForItsUniqueKeyLeavesTheKeptRecordOfItsIdAlone() throws {
        let queue = try queue()
        try queue.keepCompleted(RetentionLimit.parse("1h/10"))
        let consumer = try Consumer(queue: queue)
        try queue.enqueue(payload: "1", options: EnqueueOptions(id: "nightly"))
        #expect(try consumer.ack(try take(consumer), result: "first"))
        let holder = try queue.enqueue(payload: "2", options: EnqueueOptions(uniqueKey: "run")).id
        #expect(try queue.enqueue(payload: "3", options: EnqueueOptions(id: "nightly", uniqueKey: "run")) == .duplicate(existingID: holder))
        #expect(try queue.job(id: "nightly")?.result == "first")
        #expect(try queue.history().map(\.id) == ["nightly"])
    }

    @Test func cancellingAKeptCompletedJobDeletesItsRecord() throws {
        let queue = try queue()
        try queue.keepCompleted(RetentionLimit.parse("1h/10"))
        let consumer = try Consumer(queue: queue)
        let id = try queue.enqueue(payload: "1").id
        #expect(try consumer.ack(try take(consumer)))
        #expect(try queue.cancel(id: id) == .completed)
        #expect(try queue.job(id: id) == nil)
        #expect(try queue.history().isEmpty)
    }

    @Test func aCommandHandlersResultDescriptorIsKeptWithTheJob() throws {
        let queue = try queue()
        try queue.keepCompleted(RetentionLimit.parse("1h/10"))
        let id = try queue.enqueue(payload: "1").id
        let handler = try CommandHandler(configuration: .init(command: [
            "/bin/sh", "-c", #"cat >/dev/null; echo "not the result"; echo "3 files ingested" >&"$JOBQ_RESULT_FD""#,
        ]))
        var configuration = Worker.Configuration()
        configuration.maxJobs = 1
        let worker = Worker(queue: queue, configuration: configuration) { handler.handle($0) }
        #expect(try worker.run() == .maxJobs)
        let record = try #require(try queue.job(id: id))
        #expect(record.state == .completed)
        #expect(record.result == "3 files ingested")
    }

    @Test func retentionSettingsAreChecked() throws {
        #expect(throws: JobQueueError.self) { try RetentionLimit.parse("24h") }
        #expect(throws: JobQueueError.self) { try RetentionLimit.parse("soon/10") }
        #expect(throws: JobQueueError.self) { try RetentionLimit.parse("24h/0") }
        #expect(throws: JobQueueError.self) { try RetentionLimit.parse("10ms/10") }
        #expect(try RetentionLimit.parse("7d/10000").description == "7d/10000")
    }
}
