import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import StatsRendering
import Synchronization
import Testing

/// Jobs and a Redis that evicts or runs out of memory: the connection refuses an evicting server,
/// a job whose hash vanished is counted lost (never dead-lettered), and a full `noeviction` server
/// refuses enqueues while a worker waits it out. Each test starts its own server.
@Suite("Eviction and memory", .serialized) struct EvictionTests {
    static let evicting = ["--maxmemory", "20mb", "--maxmemory-policy", "allkeys-lru"]

    static func configuration(_ server: RedisServer, _ check: RedisConfiguration.EvictionCheck = .refuse) throws -> RedisConfiguration {
        var configuration = try RedisConfiguration(url: server.url)
        configuration.evictionCheck = check
        return configuration
    }

    static func admin(_ server: RedisServer) throws -> RedisConnection {
        try RedisConnection(configuration: configuration(server, .ignore))
    }

    // MARK: - The guard

    @Test func connectionRefusesAnEvictingServerByDefaultAndNamesTheFix() throws {
        let server = try RedisServer(arguments: Self.evicting)
        #expect(RedisConfiguration().evictionCheck == .refuse)
        let error = try #require(throws: RedisError.self) { try RedisConnection(configuration: Self.configuration(server)) }
        #expect(error.code == .evictionPolicy)
        #expect(!error.isRetryable)
        #expect(error.message.contains("allkeys-lru") && error.message.contains("CONFIG SET maxmemory-policy noeviction"))
        #expect(!error.message.contains("\n"))
        // A lazy connection refuses on its first command; nothing is written.
        let lazy = RedisConnection(openingLazily: try Self.configuration(server))
        #expect(throws: RedisError.self) { try lazy.command(["SET", "k", "v"]) }
        #expect(try Self.admin(server).command(["EXISTS", "k"]) == .integer(0))
        // Allowed: it runs (with a warning), or does not look (for read-only tools).
        _ = try RedisConnection(configuration: Self.configuration(server, .warn)).command(["PING"])
        _ = try RedisConnection(configuration: Self.configuration(server, .ignore)).command(["PING"])
    }

    @Test func environmentVariableAllowsEvictionForResolvedConfigurations() throws {
        #expect(try RedisConfiguration.resolve(explicitURL: "redis://h", environment: [:]).evictionCheck == .refuse)
        #expect(try RedisConfiguration.resolve(explicitURL: "redis://h", environment: ["JOBQ_ALLOW_EVICTION": "1"]).evictionCheck == .warn)
        #expect(try RedisConfiguration.resolve(explicitURL: "redis://h", environment: ["JOBQ_ALLOW_EVICTION": "0"]).evictionCheck == .refuse)
    }

    @Test func workerRefusesToRunOnAnEvictingServer() throws {
        let server = try RedisServer(arguments: Self.evicting)
        let queue = Queue(name: try uniqueQueueName(), connection: RedisConnection(openingLazily: try Self.configuration(server)))
        let worker = Worker(queue: queue) { _ in .completed }
        let error = try #require(throws: JobQueueError.self) { _ = try worker.run() }
        #expect(error.redisError?.code == .evictionPolicy)
    }

    @Test func policyChangedAtRunTimeIsCaughtByTheRecheck() throws {
        let server = try RedisServer()
        var configuration = try Self.configuration(server)
        let cached = try RedisConnection(configuration: configuration)
        configuration.evictionRecheckInterval = .zero
        let eager = try RedisConnection(configuration: configuration)
        try Self.admin(server).command(["CONFIG", "SET", "maxmemory-policy", "volatile-lru"])
        try cached.recheckEvictionPolicyIfDue()  // checked when it opened: trusted for 5 minutes
        let error = try #require(throws: RedisError.self) { try eager.recheckEvictionPolicyIfDue() }
        #expect(error.code == .evictionPolicy && error.message.contains("volatile-lru"))
    }

    @Test func aclUserReadsThePolicyWithConfigGetOrRunsWithAWarningWhenItCannot() throws {
        let server = try RedisServer(arguments: Self.evicting)
        let admin = try Self.admin(server)
        try admin.command(["ACL", "SETUSER", "noinfo", "on", ">pw", "~*", "&*", "+@all", "-info"])
        try admin.command(["ACL", "SETUSER", "blind", "on", ">pw", "~*", "&*", "+@all", "-info", "-config"])
        // INFO denied: CONFIG GET still shows the policy, and the server is refused.
        var noInfo = try Self.configuration(server)
        (noInfo.username, noInfo.password) = ("noinfo", "pw")
        let refused = try #require(throws: RedisError.self) { try RedisConnection(configuration: noInfo) }
        #expect(refused.code == .evictionPolicy)
        // Neither allowed: the policy is unknown; the connection runs (with a warning).
        var blind = try Self.configuration(server)
        (blind.username, blind.password) = ("blind", "pw")
        #expect(try RedisConnection(configuration: blind).command(["PING"]) == .status("PONG"))
        let memory = try RedisMemory.read(on: RedisConnection(configuration: blind))
        #expect(memory.policy == nil && memory.unreadable?.contains("NOPERM") == true)
        #expect(memory.renderText().hasPrefix("redis: UNKNOWN"))
    }

    // MARK: - Lost jobs

    /// Deletes a job's hash as Redis's eviction would.
    static func evict(_ queue: Queue, _ id: String) throws {
        try deleteStoredJob(id, queue)
    }

    @Test func jobsWhoseHashVanishedAreCountedLostInEveryStateAndNeverDeadLettered() throws {
        let queue = try TestRedis.queue()
        var ids: [String] = []
        for result in try queue.enqueue(batch: (0..<10).map { NewJob(payload: "\($0)") }) { ids.append(result.id) }
        let delayed = try queue.enqueue(payload: "\"later\"", options: { var options = EnqueueOptions(); options.delay = .milliseconds(50); return options }()).id
        try Self.evict(queue, ids[2])  // waiting
        try Self.evict(queue, ids[5])  // waiting
        try Self.evict(queue, delayed)  // delayed
        // Running: the lease keeper finds the lease gone and stops the run; the job is counted once.
        let consumer = try Consumer(queue: queue)
        guard case .job(let running) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        try Self.evict(queue, running.id)
        #expect(try consumer.fail(running, error: "boom") == .stale)
        #expect(try consumer.fail(running, error: "boom") == .stale)
        Thread.sleep(forTimeInterval: 0.1)
        var processed = 0
        while case .job(let job) = try consumer.reserve(waitingUpTo: .milliseconds(200)) {
            _ = try consumer.complete(job, reserveNext: false)
            processed += 1
        }
        let stats = try queue.stats()
        #expect(processed == 7)
        #expect(stats.counters.total.processed == 7)
        #expect(stats.counters.total.lost == 4)
        #expect(stats.counters.total.processed + stats.counters.total.lost == 11)
        #expect(stats.counters.total.dead == 0 && stats.counters.total.malformed == 0)
        #expect(try queue.deadLetters().isEmpty)
        #expect(stats.jobs.waiting + stats.jobs.delayed + stats.jobs.active == 0)
        #expect(stats.verdict == .lost)
        #expect(stats.lastLost?.state == "delayed" || stats.lastLost?.state == "waiting")
        let lost = try #require(stats.verdicts.first)
        #expect(lost.evidence[0].hasPrefix("4 jobs lost in the last hour, 4 in total"))
        let row = stats.renderText().split(separator: "\n").first { $0.hasPrefix("    lost ") }
        #expect(row?.split(separator: " ").last == "4")
        #expect(QueueStats.prometheusText([stats]).contains("jobq_lost_total{queue=\"\(queue.name)\"} 4"))
        let decoded = try QueueStats.decodeJSONDocument(Data(try QueueStats.jsonDocument([stats]).utf8))
        #expect(decoded == [stats])
    }

    @Test func jobEvictedWhileRunningReleasesItsLocksAndIsCountedLostOnceWhenItCompletes() throws {
        let queue = try TestRedis.queue()
        try queue.setConcurrency(1)
        let id = try queue.enqueue(payload: "1", options: EnqueueOptions(concurrencyKey: "doc")).id
        let next = try queue.enqueue(payload: "2", options: EnqueueOptions(concurrencyKey: "doc")).id
        let consumer = try Consumer(queue: queue)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        #expect(job.id == id)
        try Self.evict(queue, id)
        let answer = try consumer.complete(job, reserveNext: true)
        #expect(answer.acked && answer.evicted)
        // The concurrency slot and the key's lock are free at once, not when their TTL runs out.
        guard case .job(let second)? = answer.next else { Issue.record("the run's locks were kept: \(String(describing: answer.next))"); return }
        #expect(second.id == next)
        #expect(try !consumer.complete(job, reserveNext: false).acked)
        let stats = try queue.stats()
        #expect(stats.counters.total.processed == 0 && stats.counters.total.lost == 1 && stats.jobs.active == 1)
        #expect(stats.lastLost?.id == id && stats.lastLost?.state == "running" && stats.verdict == .lost)
    }

    @Test func leaseKeeperLetsARunWhoseHashWasEvictedFinishAndItIsCountedLostOnce() throws {
        var queueConfiguration = Queue.Configuration()
        queueConfiguration.lease = .milliseconds(300)
        let queue = try TestRedis.queue(configuration: queueConfiguration)
        try queue.enqueue(payload: "1")
        var configuration = Worker.Configuration()
        configuration.maxJobs = 1
        let cancelled = Mutex<JobContext.CancellationReason?>(nil)
        let worker = Worker(queue: queue, configuration: configuration) { context in
            try Self.evict(queue, context.job.id)
            // Several lease extensions while the hash is gone.
            Thread.sleep(forTimeInterval: 1.2)
            cancelled.withLock { $0 = context.cancellationReason }
            return .completed
        }
        #expect(try worker.run() == .maxJobs)
        #expect(cancelled.withLock { $0 } == nil, "the run was cancelled as if another consumer had the job")
        let stats = try queue.stats()
        #expect(stats.counters.total.lost == 1 && stats.counters.total.processed == 0 && stats.counters.total.crashed == 0)
        #expect(stats.lastLost?.state == "running" && stats.jobs.active == 0)
    }

    @Test func retryingADeadLetterWhoseHashWasEvictedCountsItLostAndRequeuesNothing() throws {
        let queue = try TestRedis.queue()
        let ids = try queue.enqueue(batch: [NewJob(payload: "1"), NewJob(payload: "2")]).map(\.id)
        let consumer = try Consumer(queue: queue)
        for _ in ids {
            guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
            _ = try consumer.fail(job, error: "boom", permanently: true)
        }
        try Self.evict(queue, ids[0])
        #expect(try queue.retryDead(ids: ids) == Queue.RetriedDeadLetters(requeued: 1, lost: 1))
        #expect(try queue.connection.command(["EXISTS", RedisArgument(queue.keys.job(ids[0]))]) == .integer(0))
        let stats = try queue.stats()
        #expect(stats.jobs.waiting == 1 && stats.jobs.dead == 0)
        #expect(stats.counters.total.lost == 1 && stats.lastLost?.id == ids[0] && stats.lastLost?.state == "dead")
        guard case .job(let retried) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        #expect(retried.id == ids[1])
    }

    @Test func reaperCountsARunningJobWhoseHashVanishedAsLost() throws {
        var configuration = Queue.Configuration()
        configuration.lease = .milliseconds(100)
        let queue = try TestRedis.queue(configuration: configuration)
        try queue.enqueue(payload: "1")
        let consumer = try Consumer(queue: queue)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        try Self.evict(queue, job.id)
        Thread.sleep(forTimeInterval: 0.2)
        let reaped = try #require(try queue.reap(holder: "test"))
        #expect(reaped.requeued == 0 && reaped.deadLettered == 0)
        let stats = try queue.stats()
        #expect(stats.counters.total.lost == 1 && stats.jobs.active == 0 && stats.lastLost?.state == "running")
    }

    /// The count is exact only while the queue's own structures (its waiting list, its counters)
    /// survive. Under `allkeys-lru` that is luck (in 2 of 6 runs Redis evicted the waiting list
    /// itself, and the jobs in it vanished uncounted): LRU's clock ticks in milliseconds, so a list
    /// the running script touches ties with the job hashes it writes. `allkeys-lfu` ranks keys by
    /// use, and the hot structures are used thousands of times.
    static let evictingByUse = ["--maxmemory", "20mb", "--maxmemory-policy", "allkeys-lfu"]

    @Test func forcedEvictionAccountsForEveryEnqueuedJob() throws {
        let server = try RedisServer(arguments: Self.evictingByUse)
        let connection = try RedisConnection(configuration: Self.configuration(server, .warn))
        let queue = Queue(name: try uniqueQueueName(), connection: connection)
        let padding = String(repeating: "x", count: 600)
        var enqueued = 0
        for batch in 0..<60 {
            let jobs = (0..<Queue.enqueueCallSize).map { NewJob(payload: #"{"n":\#(batch * 1000 + $0),"pad":"\#(padding)"}"#) }
            enqueued += try queue.enqueue(batch: jobs).count
        }
        let before = try RedisMemory.read(on: connection)
        #expect(before.evicts && (before.evictedKeys ?? 0) > 0, "the server evicted nothing: \(before)")
        var configuration = Worker.Configuration()
        configuration.idleExit = .seconds(2)
        let ran = Mutex(0)
        let worker = Worker(queue: Queue(name: queue.name, connection: connection), configuration: configuration) { _ in
            ran.withLock { $0 += 1 }
            return .completed
        }
        #expect(try worker.run() == .idle)
        let stats = try queue.stats()
        let total = stats.counters.total
        #expect(total.lost > 0)
        // A job evicted while it ran is counted lost when it completes, not processed.
        #expect(total.processed <= ran.withLock { $0 })
        #expect(total.processed + total.lost == enqueued, "processed \(total.processed) + lost \(total.lost) of \(enqueued)")
        #expect(total.dead == 0 && total.malformed == 0 && stats.jobs.dead == 0)
        #expect(stats.verdict == .lost)
        print("forced eviction: \(enqueued) enqueued, \(total.processed) completed, \(total.lost) counted lost, "
            + "\(before.evictedKeys ?? 0) keys evicted before the drain")
    }

    // MARK: - Out of memory without eviction

    static let full = ["--maxmemory", "16mb", "--maxmemory-policy", "noeviction"]

    /// Fills a `noeviction` server to its `maxmemory`: a 4 MB `filler` key (deleting it frees the
    /// memory), then jobs until Redis refuses them. Returns how many were enqueued. Their payloads
    /// (80 bytes) are too large for compact records: some 300 bytes a job keeps the count to tens
    /// of thousands, which a worker drains within the test's time.
    static func fill(_ queue: Queue, admin: RedisConnection) throws -> Int {
        try admin.command(["SET", "filler", RedisArgument(String(repeating: "f", count: 4 * 1024 * 1024))])
        var enqueued = 0
        while true {
            do {
                let payload = "\"" + String(repeating: "p", count: 78) + "\""
                enqueued += try queue.enqueue(batch: (0..<100).map { _ in NewJob(payload: payload) }).count
            } catch let error as JobQueueError where error.redisError?.code == .outOfMemory {
                #expect(error.message.contains("out of memory") && error.message.contains("nothing was written"))
                return enqueued
            }
        }
    }

    /// Lowers `maxmemory` below what Redis uses: every write is refused (`OOM`) until it is raised.
    static func shrinkToFull(_ admin: RedisConnection) throws {
        let used = Int(RedisInfo.fields(try admin.command(["INFO", "memory"]).string ?? "")["used_memory"] ?? "0") ?? 0
        try admin.command(["CONFIG", "SET", "maxmemory", RedisArgument(used - 256 * 1024)])
    }

    @Test func fullNoevictionServerRefusesEnqueuesWholeAndAWorkerWaitsUntilMemoryIsFreed() throws {
        let server = try RedisServer(arguments: Self.full)
        let admin = try Self.admin(server)
        let queue = Queue(name: try uniqueQueueName(), connection: try RedisConnection(configuration: Self.configuration(server)))
        let enqueued = try Self.fill(queue, admin: admin)
        #expect(enqueued > 0)
        #expect(try queue.stats().counters.total.enqueued == enqueued, "a refused batch wrote nothing")
        // The filler's 4 MB query buffer is freed a moment later (Redis trims idle buffers), and
        // Redis is then under its limit again: once it is freed, the limit goes below what Redis
        // uses, so it stays full until the filler goes.
        #expect(eventually(timeout: .seconds(5)) {
            (Int(RedisInfo.fields((try? admin.command(["INFO", "memory"]))?.string ?? "")["mem_clients_normal"] ?? "") ?? .max) < 1 << 20
        })
        try Self.shrinkToFull(admin)
        var configuration = Worker.Configuration()
        configuration.maxJobs = enqueued
        configuration.reconnectBackoff = Backoff(base: .milliseconds(50), cap: .milliseconds(300))
        let worker = Worker(queue: Queue(name: queue.name, connection: queue.connection), configuration: configuration) { _ in .completed }
        let finished = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<Worker.StopReason, any Error>?>(nil)
        Thread.detachNewThread {
            let result = Result { try worker.run() }
            outcome.withLock { $0 = result }
            finished.signal()
        }
        Thread.sleep(forTimeInterval: 1.5)
        #expect(outcome.withLock { $0 == nil }, "the worker waits while Redis is full")
        #expect(try queue.stats().counters.total.processed == 0)
        try admin.command(["DEL", "filler"])
        #expect(finished.wait(timeout: .now() + 30) == .success)
        guard case .success(let reason)? = outcome.withLock({ $0 }) else { Issue.record("the worker failed"); return }
        #expect(reason == .maxJobs)
        let stats = try queue.stats()
        #expect(stats.counters.total.processed == enqueued)
        #expect(stats.counters.total.lost == 0 && stats.counters.total.dead == 0 && stats.counters.total.crashed == 0)
        #expect(stats.verdict == .ok)
    }

    @Test func workerHoldsItsResultWhileRedisIsFullAndAcksItAfterwards() throws {
        let server = try RedisServer(arguments: Self.full)
        let admin = try Self.admin(server)
        var queueConfiguration = Queue.Configuration()
        queueConfiguration.lease = .seconds(1)
        let queue = Queue(name: try uniqueQueueName(), connection: try RedisConnection(configuration: Self.configuration(server)), configuration: queueConfiguration)
        try queue.enqueue(payload: "1")
        var configuration = Worker.Configuration()
        configuration.maxJobs = 1
        configuration.reconnectBackoff = Backoff(base: .milliseconds(50), cap: .milliseconds(300))
        let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let worker = Worker(queue: queue, configuration: configuration) { _ in
            started.signal()
            release.wait()
            return .completed
        }
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = try? worker.run()
            finished.signal()
        }
        #expect(started.wait(timeout: .now() + 10) == .success)
        try Self.shrinkToFull(admin)
        release.signal()
        Thread.sleep(forTimeInterval: 2.5)  // past the lease: the ack is still held, not dropped
        #expect(finished.wait(timeout: .now()) == .timedOut)
        try admin.command(["CONFIG", "SET", "maxmemory", "16mb"])
        #expect(finished.wait(timeout: .now() + 30) == .success)
        let stats = try queue.stats()
        #expect(stats.counters.total.processed == 1 && stats.counters.total.dead == 0 && stats.counters.total.lost == 0)
    }
}
