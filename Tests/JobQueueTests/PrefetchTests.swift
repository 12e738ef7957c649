import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Synchronization
import Testing

/// A worker holding several leases at once: batches reserved in one call, their leases kept alive
/// together, unstarted jobs given back to the front, and every limit of the queue still holding.
@Suite("Prefetch") struct PrefetchTests {
    /// The ids of a queue's jobs, enqueued one by one (so the first runs first).
    private func enqueue(_ queue: Queue, _ count: Int, options: EnqueueOptions = EnqueueOptions()) throws -> [String] {
        try (0..<count).map { try queue.enqueue(payload: #"{"n":\#($0)}"#, options: options).id }
    }

    @Test func oneCallLeasesUpToNJobsEachWithItsOwnLease() throws {
        let queue = try TestRedis.queue()
        let ids = try enqueue(queue, 5)
        let consumer = try Consumer(queue: queue)
        let batch = try consumer.settleBatch(acking: [], givingBack: [], reservingUpTo: 3)
        #expect(batch.jobs.map(\.id) == Array(ids.prefix(3)), "taken in queue order")
        #expect(batch.refusal == nil)
        for job in batch.jobs {
            let record = try #require(try queue.job(id: job.id))
            #expect(record.state == .active)
            #expect(record.attempts == 1)
            #expect(record.owner == consumer.id)
            #expect((record.leaseUntil ?? 0) >= job.startedAt + Int64(queue.configuration.lease.milliseconds))
        }
        let counts = try queue.counts()
        #expect(counts.waiting == 2 && counts.active == 3)
        // The next call acks them all and takes what is left: fewer than asked, no refusal needed.
        let next = try consumer.settleBatch(acking: batch.jobs.map { Consumer.FinishedRun(job: $0) }, givingBack: [], reservingUpTo: 10)
        #expect(next.acked == [true, true, true])
        #expect(next.jobs.map(\.id) == Array(ids.suffix(2)))
        for id in ids.prefix(3) { #expect(try queue.job(id: id) == nil, "acked") }
        let last = try consumer.settleBatch(acking: next.jobs.map { Consumer.FinishedRun(job: $0) }, givingBack: [], reservingUpTo: 10)
        #expect(last.jobs.isEmpty)
        #expect(last.refusal == .empty(nextDelayedIn: nil))
        #expect(try queue.stats().counters.total.processed == 5)
    }

    @Test func aBatchDealsWithEveryKindOfEntryAsOneAtATimeWould() throws {
        let queue = try TestRedis.queue()
        // Compact jobs over two buckets, one cancelled and one whose record was evicted; a job with a
        // hash of its own; a message a client pushed and a malformed one.
        let compact = try queue.enqueue(batch: (0..<150).map { NewJob(payload: "\($0)") }).map(\.id)
        _ = try queue.cancel(id: compact[10])
        let evicted = try #require(queue.keys.compactRecord(of: compact[20]))
        try queue.connection.command(["HDEL", RedisArgument(evicted.bucket), RedisArgument(evicted.field)])
        let explicit = try queue.enqueue(payload: "{}", options: EnqueueOptions(id: "explicit")).id
        try queue.connection.command(["LPUSH", RedisArgument(queue.keys.wait), "not json"])
        try queue.connection.command(["LPUSH", RedisArgument(queue.keys.wait), #"{"id":"pushed","payload":{}}"#])
        let consumer = try Consumer(queue: queue)
        let batch = try consumer.settleBatch(acking: [], givingBack: [], reservingUpTo: 200)
        let runnable = compact.filter { $0 != compact[10] && $0 != compact[20] } + [explicit, "pushed"]
        #expect(batch.jobs.map(\.id) == runnable, "in queue order, the cancelled, lost and malformed ones dealt with")
        #expect(batch.refusal == nil)
        for job in batch.jobs {
            let record = try #require(try queue.job(id: job.id))
            #expect(record.state == .active && record.attempts == 1 && record.owner == consumer.id)
        }
        let hash = try queue.connection.command(["HGET", RedisArgument(queue.keys.job(compact[5])), "payload"])
        #expect(hash.string == "5", "a compact record becomes the job's hash")
        let counts = try queue.counts()
        #expect(counts.waiting == 0 && counts.active == runnable.count && counts.dead == 1)
        #expect(try queue.deadLetters().first?.deadReason == "malformed: not valid JSON")
        #expect(try queue.stats().counters.total.lost == 1)
        // Acks in one call, one of them twice: the second finds it gone, as one call each would.
        let finished = batch.jobs.map { Consumer.FinishedRun(job: $0) }
        let acked = try consumer.settleBatch(acking: finished + [finished[0]], givingBack: [], reservingUpTo: 0).acked
        #expect(acked == Array(repeating: true, count: runnable.count) + [false])
        #expect(try queue.counts().active == 0)
        #expect(try queue.stats().counters.total.processed == runnable.count)
        for id in runnable { #expect(try queue.job(id: id) == nil, "acked") }
    }

    @Test func aBatchLeasesACompactJobAsOneAtATimeWould() throws {
        let queue = try TestRedis.queue()
        let options = EnqueueOptions(type: "mail.send", maxAttempts: 7)
        let single = try queue.enqueue(payload: #"{"to":"a"}"#, options: options).id
        let batched = try queue.enqueue(batch: [
            NewJob(payload: #"{"to":"a"}"#, options: options), NewJob(payload: "[1]"), NewJob(payload: "2", options: EnqueueOptions(maxAttempts: 1)),
        ]).map(\.id)
        let consumer = try Consumer(queue: queue)
        guard case .job(let one) = try consumer.reserve(waitingUpTo: .milliseconds(100)) else { Issue.record("no job"); return }
        #expect(one.id == single)
        let batch = try consumer.settleBatch(acking: [], givingBack: [], reservingUpTo: 10)
        #expect(batch.jobs.map(\.id) == batched)
        let twin = batch.jobs[0]
        #expect(twin.type == one.type && twin.attempt == one.attempt && twin.maxAttempts == one.maxAttempts && twin.crashes == one.crashes)
        #expect(twin.token == one.token && twin.fencingToken == nil)
        #expect(String(decoding: twin.body, as: UTF8.self) == String(decoding: one.body, as: UTF8.self).replacingOccurrences(of: single, with: twin.id))
        #expect(twin.enqueuedAt >= one.enqueuedAt && twin.enqueuedAt <= twin.startedAt && twin.startedAt >= one.startedAt)
        #expect(try twin.payloadJSON() == #"{"to":"a"}"#)
        #expect(batch.jobs[1].type == "default" && batch.jobs[1].maxAttempts == queue.configuration.defaultMaxAttempts)
        #expect(try batch.jobs[1].payloadJSON() == "[1]" && batch.jobs[2].maxAttempts == 1)
        // The hashes hold the same fields; only the times and the id differ.
        func fields(_ id: String) throws -> [String: String] {
            let reply = try queue.connection.command(["HGETALL", RedisArgument(queue.keys.job(id))]).array ?? []
            return Dictionary(uniqueKeysWithValues: stride(from: 0, to: reply.count - 1, by: 2).map { (reply[$0].string ?? "", reply[$0 + 1].string ?? "") })
        }
        let times: Set = ["enqueued_at", "started_at", "lease_until"]
        #expect(try fields(single).filter { !times.contains($0.key) } == fields(twin.id).filter { !times.contains($0.key) })
        let hash = try fields(twin.id)
        #expect(hash["enqueued_at"] == String(twin.enqueuedAt) && hash["started_at"] == String(twin.startedAt))
        #expect(hash["lease_until"] == String(twin.startedAt + Int64(queue.configuration.lease.milliseconds)))
        let deadline = try queue.connection.command(["ZSCORE", RedisArgument(queue.keys.active), RedisArgument(twin.id)])
        #expect(deadline.string.flatMap { Int64($0) } == twin.startedAt + Int64(queue.configuration.lease.milliseconds))
    }

    @Test func aBatchAckKeepsEachRunsOwnResultAndProgress() throws {
        let queue = try TestRedis.queue()
        try queue.keepCompleted(RetentionLimit.parse("1h/100"))
        let ids = try enqueue(queue, 4)
        let consumer = try Consumer(queue: queue)
        let jobs = try consumer.settleBatch(acking: [], givingBack: [], reservingUpTo: 4).jobs
        #expect(jobs.map(\.id) == ids)
        let runs = [
            Consumer.FinishedRun(job: jobs[0]), Consumer.FinishedRun(job: jobs[1], result: "second"),
            Consumer.FinishedRun(job: jobs[2], progress: JobProgress(done: 3, total: 4)),
            Consumer.FinishedRun(job: jobs[3], result: "fourth", progress: JobProgress(message: "last")),
        ]
        #expect(try consumer.settleBatch(acking: runs, givingBack: [], reservingUpTo: 0).acked == [true, true, true, true])
        let records = try ids.map { try #require(try queue.job(id: $0)) }
        #expect(records.map(\.state) == [.completed, .completed, .completed, .completed])
        #expect(records.map(\.result) == [nil, "second", nil, "fourth"])
        #expect(records.map(\.progress) == [nil, nil, JobProgress(done: 3, total: 4), JobProgress(message: "last")])
        #expect(try queue.stats().counters.total.processed == 4)
    }

    @Test func givenBackJobsWaitAtTheFrontInOrderWithoutCountingAnAttempt() throws {
        let queue = try TestRedis.queue()
        let ids = try enqueue(queue, 5)
        try queue.setConcurrency(10)
        let consumer = try Consumer(queue: queue)
        let batch = try consumer.settleBatch(acking: [], givingBack: [], reservingUpTo: 4)
        #expect(batch.jobs.count == 4)
        let back = try consumer.settleBatch(acking: [Consumer.FinishedRun(job: batch.jobs[0])], givingBack: Array(batch.jobs.dropFirst()), reservingUpTo: 0)
        #expect(back.acked == [true])
        #expect(back.givenBack == 3)
        for id in ids.dropFirst() {
            let record = try #require(try queue.job(id: id))
            #expect(record.state == .waiting)
            #expect(record.attempts == 0, "a job that never started has no attempt counted")
            #expect(record.crashes == 0)
        }
        #expect(try queue.counts().active == 0)
        #expect(try queue.locks().isEmpty, "the concurrency slots of the given-back jobs are free")
        // They run next, in the order they had.
        var order: [String] = []
        while case .job(let job) = try consumer.reserve(waitingUpTo: .milliseconds(100)) {
            order.append(job.id)
            #expect(job.attempt == 1)
            try consumer.ack(job)
        }
        #expect(order == Array(ids.dropFirst()))
        // Giving back a job whose lease is gone changes nothing.
        let stale = try consumer.settleBatch(acking: [], givingBack: [batch.jobs[1]], reservingUpTo: 0)
        #expect(stale.givenBack == 0)
        #expect(try queue.counts().waiting == 0)
    }

    @Test func aGivenBackJobWaitsAgainOnItsOwnLevel() throws {
        let queue = try TestRedis.queue()
        let high = try queue.enqueue(payload: "1", options: EnqueueOptions(priority: .high)).id
        let low = try queue.enqueue(payload: "2", options: EnqueueOptions(priority: .low)).id
        let normal = try queue.enqueue(payload: "3").id
        let consumer = try Consumer(queue: queue)
        let batch = try consumer.settleBatch(acking: [], givingBack: [], reservingUpTo: 3)
        #expect(batch.jobs.map(\.id) == [high, normal, low])
        #expect(try consumer.settleBatch(acking: [], givingBack: batch.jobs, reservingUpTo: 0).givenBack == 3)
        for (id, level) in [(high, JobPriority.high), (normal, .normal), (low, .low)] {
            let entries = try queue.connection.command(["LRANGE", RedisArgument(queue.keys.wait(level)), "0", "-1"]).array?.compactMap(\.string)
            #expect(entries == ["@" + id], "back on its level (\(level))")
            #expect(try queue.job(id: id)?.priority == level)
        }
    }

    @Test func leasesOfEveryHeldJobAreExtendedInOneCall() throws {
        var configuration = Queue.Configuration()
        configuration.lease = .milliseconds(300)
        configuration.reapInterval = .milliseconds(20)
        let queue = try TestRedis.queue(configuration: configuration)
        _ = try enqueue(queue, 3)
        let consumer = try Consumer(queue: queue)
        let jobs = try consumer.settleBatch(acking: [], givingBack: [], reservingUpTo: 3).jobs
        #expect(jobs.count == 3)
        for _ in 0..<6 {
            usleep(100_000)
            #expect(try consumer.extendLeases(jobs).leases == [.extended, .extended, .extended])
            _ = try queue.reap(holder: "t")
        }
        #expect(try queue.counts().active == 3, "no lease ran out")
        let acked = try consumer.settleBatch(acking: jobs.map { Consumer.FinishedRun(job: $0) }, givingBack: [], reservingUpTo: 0).acked
        #expect(acked == [true, true, true])
        #expect(try consumer.extendLeases(jobs).leases == [.lost, .lost, .lost])
    }

    @Test func aWorkersBufferOutlivesTheLeaseWhileItsJobsWait() throws {
        var configuration = Queue.Configuration()
        configuration.lease = .milliseconds(600)
        configuration.reapInterval = .milliseconds(50)
        let queue = try TestRedis.queue(configuration: configuration)
        let ids = try enqueue(queue, 9)
        let runs = Mutex([String]())
        var workerConfiguration = Worker.Configuration()
        workerConfiguration.prefetch = 4
        workerConfiguration.maxJobs = 9
        // Four jobs of 150 ms each: the last of a batch waits 450 ms, most of a lease; nine take
        // over twice the lease. Only the keeper's extensions keep the buffered jobs.
        let worker = Worker(queue: queue, configuration: workerConfiguration) { context in
            runs.withLock { $0.append(context.job.id) }
            Thread.sleep(forTimeInterval: 0.15)
            return .completed
        }
        #expect(try worker.run() == .maxJobs)
        #expect(runs.withLock { $0 } == ids, "each job ran once, in order")
        let stats = try queue.stats()
        #expect(stats.counters.total.processed == 9)
        #expect(stats.counters.total.crashed == 0, "no lease expired")
    }

    @Test func aStoppedWorkerGivesItsBufferBackToTheFront() throws {
        let queue = try TestRedis.queue()
        let ids = try enqueue(queue, 12)
        var workerConfiguration = Worker.Configuration()
        workerConfiguration.prefetch = 8
        let runs = Mutex([String]())
        let worker = Mutex<Worker?>(nil)
        let built = Worker(queue: queue, configuration: workerConfiguration) { context in
            let count = runs.withLock { runs in
                runs.append(context.job.id)
                return runs.count
            }
            // The second job runs from a full buffer: stop while it runs.
            if count == 2 { worker.withLock { $0?.stop() } }
            return .completed
        }
        worker.withLock { $0 = built }
        #expect(try built.run() == .requested)
        #expect(runs.withLock { $0 } == Array(ids.prefix(2)))
        let counts = try queue.counts()
        #expect(counts.active == 0 && counts.waiting == 10)
        for id in ids.dropFirst(2) {
            let record = try #require(try queue.job(id: id))
            #expect(record.state == .waiting && record.attempts == 0 && record.crashes == 0)
        }
        #expect(try queue.stats().counters.total.processed == 2, "the finished ones were acked on the way out")
        let consumer = try Consumer(queue: queue)
        guard case .job(let next) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("nothing waits"); return }
        #expect(next.id == ids[2], "the buffer went back to the front, in order")
    }

    @Test func aRateLimitHandsOutOneTokenPerJob() throws {
        let queue = try TestRedis.queue()
        _ = try enqueue(queue, 10)
        try queue.setRateLimit(RateLimit(count: 3, period: .seconds(3600), burst: 3))
        let consumer = try Consumer(queue: queue)
        let batch = try consumer.settleBatch(acking: [], givingBack: [], reservingUpTo: 10)
        #expect(batch.jobs.count == 3, "three tokens, three jobs")
        let next = try consumer.settleBatch(acking: batch.jobs.map { Consumer.FinishedRun(job: $0) }, givingBack: [], reservingUpTo: 10)
        #expect(next.jobs.isEmpty)
        guard case .throttled = next.refusal else { Issue.record("not throttled: \(String(describing: next.refusal))"); return }
        #expect(try queue.counts().waiting == 7)
    }

    @Test func aLimiterKeyTakesATokenPerJobToo() throws {
        let queue = try TestRedis.queue()
        let limited = try enqueue(queue, 4, options: EnqueueOptions(limiter: "api"))
        let free = try enqueue(queue, 2)
        try queue.setRateLimit(RateLimit(count: 2, period: .seconds(3600), burst: 2), limiter: "api")
        let consumer = try Consumer(queue: queue)
        let batch = try consumer.settleBatch(acking: [], givingBack: [], reservingUpTo: 10)
        #expect(batch.jobs.map(\.id) == Array(limited.prefix(2)) + free, "two tokens for the limiter; the rest of its jobs wait for theirs")
        #expect(try queue.counts().delayed == 2)
    }

    @Test func aConcurrencyLimitCapsTheBatch() throws {
        let queue = try TestRedis.queue()
        _ = try enqueue(queue, 6)
        try queue.setConcurrency(2)
        let consumer = try Consumer(queue: queue)
        let batch = try consumer.settleBatch(acking: [], givingBack: [], reservingUpTo: 6)
        #expect(batch.jobs.count == 2, "a slot per prefetched job")
        #expect(Set(try queue.locks().map(\.name)).count == 2, "two slots held")
        let other = try Consumer(queue: queue)
        #expect(try other.settleBatch(acking: [], givingBack: [], reservingUpTo: 6).refusal == .saturated)
        // Giving one back frees its slot for another consumer.
        _ = try consumer.settleBatch(acking: [], givingBack: [batch.jobs[1]], reservingUpTo: 0)
        #expect(try other.settleBatch(acking: [], givingBack: [], reservingUpTo: 6).jobs.map(\.id) == [batch.jobs[1].id])
    }

    @Test func aConcurrencyKeyCapsTheBatch() throws {
        let queue = try TestRedis.queue()
        let keyed = try enqueue(queue, 3, options: EnqueueOptions(concurrencyKey: "tenant-1"))
        let plain = try enqueue(queue, 1)
        let consumer = try Consumer(queue: queue)
        let batch = try consumer.settleBatch(acking: [], givingBack: [], reservingUpTo: 10)
        #expect(batch.jobs.map(\.id) == [keyed[0]] + plain, "one job per key at a time; the others are parked")
        let after = try consumer.settleBatch(acking: [Consumer.FinishedRun(job: batch.jobs[0])], givingBack: [], reservingUpTo: 10)
        #expect(after.jobs.map(\.id) == [keyed[1]], "the ack released the key: the next of its jobs comes")
    }

    @Test func aPausedQueueHandsOutNothing() throws {
        let queue = try TestRedis.queue()
        _ = try enqueue(queue, 5)
        try queue.pause()
        let consumer = try Consumer(queue: queue)
        let batch = try consumer.settleBatch(acking: [], givingBack: [], reservingUpTo: 5)
        #expect(batch.jobs.isEmpty)
        #expect(batch.refusal == .paused)
        #expect(try queue.counts().waiting == 5)
    }

    @Test func aPauseSendsTheBufferBack() throws {
        var configuration = Queue.Configuration()
        configuration.lease = .milliseconds(600)
        let queue = try TestRedis.queue(configuration: configuration)
        let ids = try enqueue(queue, 8)
        var workerConfiguration = Worker.Configuration()
        workerConfiguration.prefetch = 4
        workerConfiguration.idleExit = .seconds(1)
        let runs = Mutex([String]())
        let worker = Worker(queue: queue, configuration: workerConfiguration) { context in
            let count = runs.withLock { runs in
                runs.append(context.job.id)
                return runs.count
            }
            // The first job of the first batch pauses the queue and runs past a lease extension.
            if count == 2 {
                try queue.pause()
                Thread.sleep(forTimeInterval: 0.5)
            }
            return .completed
        }
        #expect(try worker.run() == .idle)
        #expect(runs.withLock { $0 } == Array(ids.prefix(2)), "no job started after the pause was seen")
        let counts = try queue.counts()
        #expect(counts.active == 0 && counts.waiting == 6)
        for id in ids.dropFirst(2) { #expect(try queue.job(id: id)?.attempts == 0) }
        #expect(try queue.stats().counters.total.processed == 2)
    }

    @Test func prefetchOneKeepsOneCallPerJobAndPrefetchCutsThem() throws {
        let server = try RedisServer()
        let connection = try RedisConnection(configuration: RedisConfiguration(url: server.url))
        let queue = Queue(name: try uniqueQueueName(), connection: connection)
        func calls(prefetch: Int) throws -> Int {
            _ = try queue.enqueue(batch: (0..<200).map { _ in NewJob(payload: "{}") })
            try connection.command(["CONFIG", "RESETSTAT"])
            var configuration = Worker.Configuration()
            configuration.prefetch = prefetch
            configuration.maxJobs = 200
            let worker = Worker(queue: queue, configuration: configuration) { _ in .completed }
            #expect(try worker.run() == .maxJobs)
            let stats = try connection.command(["INFO", "commandstats"]).string ?? ""
            // Scripts run as FCALL (Redis 7) or EVALSHA.
            return stats.split(separator: "\r\n").filter { $0.hasPrefix("cmdstat_fcall:") || $0.hasPrefix("cmdstat_evalsha:") }
                .compactMap { line in line.split(separator: "calls=").dropFirst().first?.split(separator: ",").first.flatMap { Int($0) } }
                .reduce(0, +)
        }
        let one = try calls(prefetch: 1)
        #expect(one >= 200 && one <= 210, "one call per job: \(one)")
        let many = try calls(prefetch: 32)
        #expect(many <= 20, "a call per batch of 32: \(many)")
        #expect(try queue.counts().waiting == 0)
    }
}
