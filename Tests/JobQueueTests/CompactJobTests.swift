import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

/// Small jobs enqueued without an id wait in compact form (a field of a bucket hash shared by 100
/// ids, the id as their waiting entry) until they are taken: what that costs in Redis memory, and
/// that every guarantee of a job with a hash of its own holds for them.
@Suite("Compact waiting jobs") struct CompactJobTests {
    /// Whether `id` waits in compact form: no hash of its own, a record in its bucket.
    static func isCompact(_ queue: Queue, _ id: String) throws -> Bool {
        guard let slot = queue.keys.compactRecord(of: id) else { return false }
        let hash = try queue.connection.command(["EXISTS", RedisArgument(queue.keys.job(id))])
        let record = try queue.connection.command(["HEXISTS", RedisArgument(slot.bucket), RedisArgument(slot.field)])
        return hash == .integer(0) && record == .integer(1)
    }

    static func take(_ consumer: Consumer) throws -> ReservedJob {
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(2)) else { throw TestFailure("no job to take") }
        return job
    }

    /// `used_memory` of a server after its lazy frees finished.
    static func usedMemory(_ connection: RedisConnection) throws -> Int {
        let info = try connection.command(["INFO", "memory"]).string ?? ""
        let line = try #require(info.split(separator: "\r\n").first { $0.hasPrefix("used_memory:") })
        return try #require(Int(line.dropFirst("used_memory:".count)))
    }

    // MARK: - Memory

    /// The goal: a small waiting job costs at most 120 bytes of Redis memory, measured as the
    /// `used_memory` delta over 20,000 jobs on a server of its own (a hash per job cost 208-240).
    @Test(arguments: ["{}", #"{"path":"/srv/kb/docs/guide-N.md"}"#])
    func aSmallWaitingJobCostsAtMost120BytesOfRedisMemory(payload: String) throws {
        let server = try RedisServer()
        let connection = try RedisConnection(configuration: RedisConfiguration(url: server.url))
        let queue = Queue(name: try uniqueQueueName(), connection: connection)
        try queue.enqueue(payload: "{}")  // the registry and the queue's counters, outside the measurement
        let count = 20_000
        let before = try Self.usedMemory(connection)
        for start in stride(from: 0, to: count, by: Queue.enqueueCallSize) {
            let jobs = (start..<start + Queue.enqueueCallSize).map {
                NewJob(payload: payload.replacingOccurrences(of: "N", with: String($0)), options: EnqueueOptions(type: "noop"))
            }
            _ = try queue.enqueue(batch: jobs)
        }
        let perJob = Double(try Self.usedMemory(connection) - before) / Double(count)
        print("compact waiting job, payload \(payload): \(String(format: "%.1f", perJob)) bytes of Redis memory")
        #expect(try queue.counts().waiting == count + 1)
        #expect(perJob <= 120, "\(perJob) bytes a job")
    }

    // MARK: - Show, cancel, stats

    @Test func aCompactJobIsShownCancelledAndSkippedByID() throws {
        let queue = try TestRedis.queue()
        let cancelled = try queue.enqueue(payload: #"{"doc":1}"#, options: EnqueueOptions(type: "index", maxAttempts: 3)).id
        let kept = try queue.enqueue(payload: #"{"doc":2}"#).id
        #expect(cancelled.hasPrefix("_") && kept.hasPrefix("_") && cancelled != kept)
        #expect(try Self.isCompact(queue, cancelled) && Self.isCompact(queue, kept))
        let shown = try #require(try queue.job(id: cancelled))
        #expect(shown.state == .waiting && shown.type == "index" && shown.maxAttempts == 3 && shown.attempts == 0)
        #expect(shown.priority == .normal && shown.enqueuedAt != nil)
        let message = try #require(try JSONSerialization.jsonObject(with: Data(shown.body.utf8)) as? [String: Any])
        #expect((message["payload"] as? [String: Int]) == ["doc": 1] && message["id"] as? String == cancelled)
        // The oldest waiting job's time is read from the compact record.
        #expect(try queue.stats().oldestWaiting?.enqueuedAt == shown.enqueuedAt)

        #expect(try queue.cancel(id: cancelled) == .waiting)
        #expect(try queue.job(id: cancelled)?.state == .cancelled)
        #expect(try #require(throws: JobQueueError.self) { try queue.cancel(id: cancelled) }.code == .jobNotFound)
        let consumer = try Consumer(queue: queue)
        let job = try Self.take(consumer)
        #expect(job.id == kept && job.type == "default" && job.attempt == 1)
        #expect(try consumer.ack(job))
        #expect(try queue.job(id: cancelled) == nil)
        guard case .empty = try consumer.reserve(waitingUpTo: .milliseconds(50)) else { Issue.record("the cancelled job ran"); return }
        let stats = try queue.stats()
        #expect(stats.counters.total.cancelled == 1 && stats.counters.total.processed == 1 && stats.counters.total.lost == 0)
        #expect(stats.jobs.waiting == 0)
        // Nothing is left of either job.
        let buckets = try queue.connection.command(["EXISTS", RedisArgument(try #require(queue.keys.compactRecord(of: kept)).bucket)])
        #expect(buckets == .integer(0))
    }

    @Test func aTakenCompactJobHasAHashAndRetriesLikeAnyOther() throws {
        var configuration = Queue.Configuration()
        configuration.retryBackoff = Backoff(base: .milliseconds(10), cap: .milliseconds(20))
        let queue = try TestRedis.queue(configuration: configuration)
        let id = try queue.enqueue(payload: "[1,2]", options: EnqueueOptions(type: "t", maxAttempts: 2)).id
        let consumer = try Consumer(queue: queue)
        let first = try Self.take(consumer)
        #expect(first.id == id && first.maxAttempts == 2 && String(decoding: first.body, as: UTF8.self).contains(#""payload":[1,2]"#))
        #expect(try !Self.isCompact(queue, id) && queue.job(id: id)?.state == .active)
        _ = try consumer.fail(first, error: "boom")
        let second = try Self.take(consumer)
        #expect(second.id == id && second.attempt == 2 && second.type == "t")
        _ = try consumer.fail(second, error: "boom again")
        #expect(try queue.job(id: id)?.state == .dead)
    }

    // MARK: - Priorities

    @Test func compactJobsKeepTheirPriority() throws {
        let queue = try TestRedis.queue()
        let low = try queue.enqueue(payload: "1", options: EnqueueOptions(priority: .low)).id
        let normal = try queue.enqueue(payload: "2").id
        let high = try queue.enqueue(payload: "3", options: EnqueueOptions(priority: .high)).id
        #expect(try [low, normal, high].allSatisfy { try Self.isCompact(queue, $0) })
        #expect(try queue.job(id: low)?.priority == .low && queue.job(id: high)?.priority == .high)
        let consumer = try Consumer(queue: queue)
        let first = try Self.take(consumer)
        #expect(first.id == high)
        // Put back, it goes back to its own level (its hash now says high).
        #expect(try consumer.release(first))
        #expect(try queue.job(id: high)?.priority == .high)
        var order: [String] = []
        for _ in 0..<3 {
            let job = try Self.take(consumer)
            order.append(job.id)
            #expect(try consumer.ack(job))
        }
        #expect(order == [high, normal, low])
    }

    // MARK: - What falls back to a hash

    @Test func jobsThatNeedMoreThanTheBasicsGetAHashAtOnce() throws {
        let queue = try TestRedis.queue()
        let big = String(repeating: "x", count: 70)
        let options: [EnqueueOptions] = [
            EnqueueOptions(uniqueKey: "u"), EnqueueOptions(delay: .seconds(60)), EnqueueOptions(limiter: "api"),
            EnqueueOptions(concurrencyKey: "k"), EnqueueOptions(type: "a|b"),
        ]
        for option in options {
            let id = try queue.enqueue(payload: "{}", options: option).id
            #expect(id.hasPrefix("_") && queue.keys.compactRecord(of: id) != nil)
            #expect(try !Self.isCompact(queue, id), "\(option)")
            #expect(try queue.connection.command(["EXISTS", RedisArgument(queue.keys.job(id))]) == .integer(1))
        }
        let large = try queue.enqueue(payload: "\"\(big)\"").id
        #expect(try !Self.isCompact(queue, large) && queue.job(id: large)?.state == .waiting)
        let explicit = try queue.enqueue(payload: "{}", options: EnqueueOptions(id: "doc-1")).id
        #expect(try explicit == "doc-1" && queue.keys.compactRecord(of: explicit) == nil && queue.job(id: explicit)?.state == .waiting)
        // The unique key is still held, the delayed job still delayed, the type kept whole.
        let second = try queue.enqueue(payload: "{}", options: EnqueueOptions(uniqueKey: "u"))
        guard case .duplicate = second else { Issue.record("unique key not held: \(second)"); return }
        #expect(try queue.counts().delayed == 1)
        let consumer = try Consumer(queue: queue)
        var types: Set<String> = []
        while case .job(let job) = try consumer.reserve(waitingUpTo: .milliseconds(100)) {
            types.insert(job.type)
            #expect(try consumer.ack(job))
        }
        #expect(types == ["default", "a|b"])
    }

    @Test func idsOfTheGeneratedFormAreRefusedFromCallersAndProducers() throws {
        let queue = try TestRedis.queue()
        let error = try #require(throws: JobQueueError.self) { try queue.enqueue(payload: "{}", options: EnqueueOptions(id: "_12")) }
        #expect(error.code == .invalidJob && error.message.contains("'_12'"))
        // Ids that only look alike are fine.
        for id in ["_x", "_1a", "12", "a_1"] { #expect(try queue.enqueue(payload: "{}", options: EnqueueOptions(id: id)).id == id) }
        // A message pushed by another client with such an id is a malformed dead letter.
        try queue.connection.command(["LPUSH", RedisArgument(queue.keys.wait), #"{"id":"_7","payload":{}}"#])
        let consumer = try Consumer(queue: queue)
        while case .job(let job) = try consumer.reserve(waitingUpTo: .milliseconds(100)) { #expect(try consumer.ack(job)) }
        let dead = try #require(try queue.deadLetters().first)
        #expect(dead.deadReason?.contains("not _ and digits only") == true)
    }

    @Test func aGeneratedIDNeverReusesOneInUseAfterTheCounterIsLost() throws {
        let queue = try TestRedis.queue()
        try queue.keepCompleted(try RetentionLimit(maxAge: .seconds(3600), maxCount: 100))
        let first = try queue.enqueue(payload: "1").id
        let consumer = try Consumer(queue: queue)
        #expect(try consumer.ack(try Self.take(consumer)))
        let waiting = try queue.enqueue(payload: "2").id
        try queue.connection.command(["DEL", RedisArgument(queue.keys.key(.sequence))])
        let next = try queue.enqueue(payload: "3").id
        #expect(![first, waiting].contains(next))
        // A job that takes a hash skips ids held by compact records too.
        try queue.connection.command(["DEL", RedisArgument(queue.keys.key(.sequence))])
        let delayed = try queue.enqueue(payload: "4", options: EnqueueOptions(delay: .seconds(60))).id
        #expect(try ![first, waiting, next].contains(delayed) && queue.job(id: delayed)?.state == .delayed)
        #expect(try queue.job(id: first)?.state == .completed && queue.job(id: waiting)?.state == .waiting)
        #expect(try queue.job(id: next)?.state == .waiting && Self.isCompact(queue, waiting) && Self.isCompact(queue, next))
        #expect(try queue.history().map(\.id) == [first])
    }

    @Test func aCounterLostAndFirstTakenByAPushedMessageStillSkipsIdsInUse() throws {
        let queue = try TestRedis.queue()
        let waiting = try queue.enqueue(batch: (0..<3).map { NewJob(payload: "\($0)") }).map(\.id)
        #expect(waiting == ["_1", "_2", "_3"])
        try queue.connection.command(["DEL", RedisArgument(queue.keys.key(.sequence))])
        // A message pushed without an id takes the counter's first number after the loss.
        try queue.connection.command(["RPUSH", RedisArgument(queue.keys.wait), #"{"payload":{"pushed":true}}"#])
        let consumer = try Consumer(queue: queue)
        let pushed = try Self.take(consumer)
        #expect(pushed.id == "ext-1")
        let next = try queue.enqueue(payload: "4").id
        #expect(try !waiting.contains(next) && Self.isCompact(queue, next))
        #expect(try waiting.allSatisfy { try queue.job(id: $0)?.state == .waiting })
        #expect(try consumer.ack(pushed))
    }

    // MARK: - Eviction

    @Test func anEvictedBucketsJobsAreCountedLostWhenTheirTurnComes() throws {
        let queue = try TestRedis.queue()
        let ids = try queue.enqueue(batch: (0..<250).map { NewJob(payload: "\($0)") }).map(\.id)
        let victim = try #require(queue.keys.compactRecord(of: ids[150]))
        let inBucket = ids.filter { queue.keys.compactRecord(of: $0)?.bucket == victim.bucket }
        #expect(inBucket.count == 100)
        try queue.connection.command(["DEL", RedisArgument(victim.bucket)])  // as eviction would
        #expect(try queue.job(id: inBucket[0]) == nil)
        let consumer = try Consumer(queue: queue)
        var ran: [String] = []
        while case .job(let job) = try consumer.reserve(waitingUpTo: .milliseconds(100)) {
            ran.append(job.id)
            #expect(try consumer.ack(job))
        }
        #expect(Set(ran) == Set(ids).subtracting(inBucket) && ran.count == 150)
        let stats = try queue.stats()
        #expect(stats.counters.total.lost == 100 && stats.counters.total.processed == 150)
        #expect(stats.lastLost?.state == "waiting" && inBucket.contains(stats.lastLost?.id ?? ""))
    }

    // MARK: - Claims handed back

    @Test func aCompactEntryFetchedByADeadConsumerGoesBackToWaiting() throws {
        let queue = try TestRedis.queue()
        let id = try queue.enqueue(payload: "{}").id
        // What a consumer's BLMOVE does before its reserve step; then the consumer dies.
        try queue.connection.command(["LMOVE", RedisArgument(queue.keys.wait), RedisArgument(queue.keys.claim("gone")), "RIGHT", "LEFT"])
        #expect(try queue.recoverConsumer("gone", cause: "killed by SIGKILL").isEmpty)
        #expect(try Self.isCompact(queue, id) && queue.job(id: id)?.state == .waiting)
        let consumer = try Consumer(queue: queue)
        #expect(try Self.take(consumer).id == id)
    }
}
