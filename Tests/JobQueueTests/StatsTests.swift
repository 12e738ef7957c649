import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import StatsRendering
import Testing

/// `Queue.stats()`: what one read reports about a queue, and the verdicts built on it, each state
/// made for real through the library.
@Suite("Queue statistics") struct StatsTests {
    /// Pushes a raw message, as any Redis client may.
    private func push(_ queue: Queue, _ message: String) throws {
        try queue.connection.command(["LPUSH", RedisArgument(queue.keys.wait), RedisArgument(message)])
    }

    /// Reserves `count` jobs on a new consumer.
    private func reserve(_ queue: Queue, count: Int) throws -> (Consumer, [ReservedJob]) {
        let consumer = try Consumer(queue: queue)
        let jobs = try (0..<count).map { _ -> ReservedJob in
            guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { throw TestFailure("no job to reserve") }
            return job
        }
        return (consumer, jobs)
    }

    @Test func jobsInEveryStateAreCountedAndTheNextJobsEnqueueTimeIsKnown() throws {
        let queue = try TestRedis.queue()
        let empty = try queue.stats()
        #expect(empty.jobs == JobCounts(waiting: 0, delayed: 0, delayedDue: 0, active: 0, expiredLeases: 0, dead: 0, parked: 0))
        #expect(empty.oldestWaiting == nil)
        #expect(empty.verdicts.isEmpty && empty.verdict == .ok)
        #expect(empty.supervisor.state == .absent && empty.workers.isEmpty && empty.lastEmergencyStop == nil)

        let ids = try queue.enqueue(batch: (0..<4).map { NewJob(payload: "\($0)") }).map(\.id)
        try queue.enqueue(payload: "9", options: EnqueueOptions(delay: .seconds(60)))
        let (consumer, taken) = try reserve(queue, count: 2)
        _ = try consumer.fail(taken[1], error: "boom", permanently: true)

        let stats = try queue.stats()
        #expect(stats.jobs == JobCounts(waiting: 2, delayed: 1, delayedDue: 0, active: 1, expiredLeases: 0, dead: 1, parked: 0))
        #expect(stats.concurrency == ConcurrencyUse(limit: nil, running: 1))
        let enqueuedAt = try #require(try queue.job(id: ids[2])?.enqueuedAt)
        #expect(stats.oldestWaiting == OldestWaiting(enqueuedAt: enqueuedAt, ageMilliseconds: stats.at - enqueuedAt))
        #expect(stats.counters.total.enqueued == 5 && stats.counters.total.dead == 1)
        #expect(stats.counters.lastMinute.counts.enqueued == 5)
    }

    @Test func theOldestRawMessageIsDatedByItsEnqueuedAtFieldOrUnknown() throws {
        let dated = try TestRedis.queue()
        let now = try dated.stats().at
        try push(dated, #"{"payload":1,"enqueued_at":\#(now - 600_000)}"#)
        let oldest = try #require(try dated.stats().oldestWaiting)
        #expect(oldest.enqueuedAt == now - 600_000)
        #expect((600_000..<610_000).contains(oldest.ageMilliseconds ?? 0))

        let undated = try TestRedis.queue()
        try push(undated, #"{"payload":1}"#)
        #expect(try undated.stats().oldestWaiting == OldestWaiting(enqueuedAt: nil, ageMilliseconds: nil))
    }

    @Test func countersAreSummedOverTheCurrentMinuteAndTheWholeMinutesBeforeIt() throws {
        let queue = try TestRedis.queue()
        _ = try queue.enqueue(batch: (0..<3).map { NewJob(payload: "\($0)") })
        let (consumer, jobs) = try reserve(queue, count: 3)
        for job in jobs { try consumer.ack(job) }
        let minute = try queue.stats().at / 60_000
        try queue.connection.command(["HINCRBY", RedisArgument(queue.keys.minuteStats(minute - 30)), "processed", "7"])
        try queue.connection.command(["HINCRBY", RedisArgument(queue.keys.minuteStats(minute - 3)), "failed", "2"])

        let counters = try queue.stats().counters
        #expect(counters.lastMinute.counts.processed == 3)
        #expect(counters.last5Minutes.counts.processed == 3 && counters.last5Minutes.counts.failed == 2)
        #expect(counters.last10Minutes.counts.processed == 3)
        #expect(counters.lastHour.counts.processed == 10 && counters.lastHour.counts.failed == 2)
        #expect(counters.total.processed == 3, "the all-time hash is kept apart from the minute buckets")
        #expect((60_000..<120_000).contains(counters.lastMinute.spanMilliseconds))
        #expect((3_600_000..<3_660_000).contains(counters.lastHour.spanMilliseconds))
        let rate = counters.lastHour.perMinute(.processed)
        #expect(abs(rate - 10 * 60_000 / Double(counters.lastHour.spanMilliseconds)) < 1e-9)
    }

    @Test func liveWorkersAreListedWithTheirJobAndHeldLocksWithTheirHolder() throws {
        let queue = try TestRedis.queue()
        try queue.setConcurrency(1)
        let id = try queue.enqueue(payload: "1").id
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        var configuration = Worker.Configuration()
        configuration.consumerID = "stats-test-worker"
        configuration.registryInfo = ["command": "stats-test"]
        configuration.idleExit = .milliseconds(200)
        configuration.heartbeatInterval = .milliseconds(200)
        let worker = Worker(queue: Queue(name: queue.name, connection: try TestRedis.connection()), configuration: configuration) { _ in
            started.signal()
            release.wait()
            return .completed
        }
        Thread.detachNewThread {
            _ = try? worker.run()
            finished.signal()
        }
        defer {
            release.signal()
            worker.stop()
            _ = finished.wait(timeout: .now() + 10)
        }
        #expect(started.wait(timeout: .now() + 5) == .success)
        #expect(eventually(timeout: .seconds(5)) { (try? queue.stats())?.workers.first?.job == id })

        let stats = try queue.stats()
        let live = try #require(stats.workers.first)
        #expect(live.id == "stats-test-worker" && live.pid == getpid() && live.host == ProcessInfo.processInfo.hostName)
        #expect(live.command == "stats-test" && (live.rssBytes ?? 0) > 0)
        #expect((live.jobRunningMilliseconds ?? -1) >= 0)
        #expect(stats.locks.map(\.name) == ["slot:1"])
        #expect(stats.locks.first?.holder == "stats-test-worker" && stats.locks.first?.job == id)
        #expect(stats.concurrency == ConcurrencyUse(limit: 1, running: 1))
        #expect(stats.verdict == .ok)
    }

    @Test func aTrippedBreakerIsACrashLoopWithItsReasonAndTheLastCrashes() throws {
        let queue = try TestRedis.queue()
        let name = queue.name.rawValue
        for index in 0..<3 {
            _ = try queue.recordWorkerExit(WorkerExitRecord(
                workerID: "w\(index)", host: "web1", pid: Int32(100 + index), exitStatus: 1, signal: nil, oom: false,
                crash: true, cause: "exit status 1", runTimeMilliseconds: 200, cpuTimeMilliseconds: 10, peakMemoryBytes: nil))
        }
        try queue.tripBreaker(reason: "3 crashes within 10m (last: exit status 1)", host: "web1", pid: 42)

        let stats = try queue.stats()
        #expect(stats.verdict == .crashLoop)
        let verdict = try #require(stats.verdicts.first)
        #expect(verdict.evidence.contains { $0.hasPrefix("breaker tripped") && $0.hasSuffix("3 crashes within 10m (last: exit status 1)") })
        #expect(verdict.evidence.contains { $0.hasPrefix("3 worker crashes in the last 10m (3 make a crash loop), 0 OOM kills") })
        #expect(verdict.evidence.contains { $0.hasPrefix("last crashes: exit status 1 (3×); the latest ") })
        #expect(verdict.fix == ["jobq dead \(name)", "jobq breaker reset \(name)"])
        #expect(stats.supervisor.state == .breaker && stats.supervisor.breakerTripped)
        #expect(stats.counters.lastHour.counts.crashes == 3 && stats.recentExits.count == 3)

        try queue.resetBreaker()
        let reset = try queue.stats()
        #expect(reset.verdict == .crashLoop, "three crashes in ten minutes are a crash loop without the breaker too")
        #expect(reset.verdicts[0].fix == ["jobq dead \(name)"])
        var lenient = StatsConfiguration()
        lenient.crashLoopCrashes = 4
        #expect(try queue.stats(configuration: lenient).verdict == .ok)
    }

    @Test func workWaitingLongWithNothingProcessedAndNothingRunningIsStuck() throws {
        let queue = try TestRedis.queue()
        let now = try queue.stats().at
        try push(queue, #"{"payload":1,"enqueued_at":\#(now - 600_000)}"#)
        let stats = try queue.stats()
        #expect(stats.verdicts.map(\.kind) == [.stuck])
        let evidence = stats.verdicts[0].evidence
        #expect(evidence.first?.hasPrefix("1 waiting (the oldest for 10m") == true)
        #expect(evidence.first?.hasSuffix("nothing processed in the last 5m") == true)
        #expect(evidence.contains("no live worker; supervisor: none"))

        let fresh = try TestRedis.queue()
        try fresh.enqueue(payload: "1")
        #expect(try fresh.stats().verdict == .ok, "work that just arrived is not stuck")

        try queue.heartbeat(consumer: "someone", ttl: .seconds(5), info: [("host", "web1"), ("pid", "7")])
        #expect(try queue.stats().verdict == .ok, "a live worker is progressing")
    }

    @Test func unrecoveredExpiredLeasesAndJobsCrashingWithNothingProcessedAreStuck() throws {
        var configuration = Queue.Configuration()
        configuration.lease = .milliseconds(100)
        configuration.poisonThreshold = 0
        let queue = try TestRedis.queue(configuration: configuration)
        _ = try queue.enqueue(batch: (0..<2).map { NewJob(payload: "\($0)") })
        _ = try reserve(queue, count: 2)
        usleep(300_000)
        var rules = StatsConfiguration()
        rules.expiredLeaseGrace = .milliseconds(100)

        let expired = try queue.stats(configuration: rules)
        #expect(expired.jobs.expiredLeases == 2)
        #expect(expired.verdict == .stuck)
        #expect(expired.verdicts[0].evidence.contains { $0.hasPrefix("2 running jobs whose lease ended over 100ms ago and nobody recovered") })

        #expect(try queue.reap(holder: "stats-test")?.requeued == 2)
        let crashed = try queue.stats(configuration: rules)
        #expect(crashed.jobs.expiredLeases == 0 && crashed.jobs.waiting == 2)
        #expect(crashed.counters.last5Minutes.counts.crashed == 2)
        #expect(crashed.verdict == .stuck)
        #expect(crashed.verdicts[0].evidence.contains { $0.hasPrefix("2 jobs crashed in the last 5m") })
    }

    @Test func moreEnqueuedThanProcessedIsABacklogWithRates() throws {
        let queue = try TestRedis.queue()
        let name = queue.name.rawValue
        _ = try queue.enqueue(batch: (0..<25).map { NewJob(payload: "\($0)") })
        let (consumer, jobs) = try reserve(queue, count: 5)
        for job in jobs { try consumer.ack(job) }

        let stats = try queue.stats()
        #expect(stats.verdicts.map(\.kind) == [.backlog])
        #expect(stats.verdicts[0].evidence[0].hasPrefix("last 5m: enqueued "))
        #expect(stats.verdicts[0].evidence[0].hasSuffix("the waiting list grew by about 20"))
        #expect(stats.verdicts[0].fix == ["jobq limit \(name)", "jobq stats \(name) --watch 10"])
        var strict = StatsConfiguration()
        strict.backlogGrowth = 21
        #expect(try queue.stats(configuration: strict).verdict == .ok)
    }

    @Test func aStopRequestAndAPauseAreBothReportedTheStopFirst() throws {
        let queue = try TestRedis.queue()
        try queue.pause()
        try queue.requestStop(by: "ops@test", reason: "deploy")
        let stats = try queue.stats()
        #expect(stats.verdicts.map(\.kind) == [.stopped, .paused])
        #expect(stats.verdicts[0].evidence[0].hasPrefix("stop requested by ops@test: deploy ("))
        #expect(stats.verdicts.allSatisfy { $0.fix == ["jobq resume \(queue.name)"] })
        #expect(stats.paused && stats.stopRequest?.by == "ops@test" && stats.stopRequest?.reason == "deploy")
        #expect(stats.renderText().hasPrefix("\(queue.name): STOPPED (also PAUSED)\n"))
    }

    @Test func operatorEventsAreKeptNewestFirstAndStatsShowsTheLastEmergencyStop() throws {
        let queue = try TestRedis.queue()
        let stop = try queue.recordEvent(OperatorEvent(
            by: "ops@web1", action: .emergencyStop, reason: "incident", steps: ["paused", "stopped unit rivet-worker.service"],
            units: ["rivet-worker.service"]))
        #expect(stop.at > 0 && stop.units == ["rivet-worker.service"])
        let resume = try queue.recordEvent(OperatorEvent(by: "ops@web1", action: .resume))
        #expect(try queue.events().map(\.action) == [.resume, .emergencyStop])

        let stats = try queue.stats()
        #expect(stats.lastEvent == resume)
        #expect(stats.lastEmergencyStop == stop)
        #expect(stats.renderText(width: 200).contains("by ops@web1 (incident): paused; stopped unit rivet-worker.service; resumed "))

        for _ in 0..<50 { try queue.recordEvent(OperatorEvent(by: "ops@web1", action: .resume)) }
        #expect(try queue.events().count == 50, "the list keeps the last 50")
        #expect(try queue.stats().lastEmergencyStop == nil)
    }

    @Test func theJSONDocumentHasSnakeCaseKeysIntegerCountsAndReadsBack() throws {
        let queue = try TestRedis.queue()
        _ = try queue.enqueue(batch: (0..<2).map { NewJob(payload: "\($0)") })
        try queue.setRateLimit(RateLimit(count: 10, period: .seconds(1), burst: 5))
        try queue.pause()
        let stats = try queue.stats()
        let text = try QueueStats.jsonDocument([stats])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(document["schema"] as? Int == 1)
        let entry = try #require((document["queues"] as? [[String: Any]])?.first)
        #expect(entry["verdict"] as? String == "paused")
        #expect((entry["jobs"] as? [String: Any])?["waiting"] as? Int == 2)
        #expect((entry["rate_limit"] as? [String: Any])?["period_ms"] as? Int == 1000)
        #expect(((entry["counters"] as? [String: Any])?["last_5m"] as? [String: Any])?["span_ms"] is Int)

        func keys(_ value: Any) -> [String] {
            if let object = value as? [String: Any] { return object.keys + object.values.flatMap(keys) }
            if let array = value as? [Any] { return array.flatMap(keys) }
            return []
        }
        let notSnake = keys(document).filter { $0.range(of: "^[a-z][a-z0-9_]*$", options: .regularExpression) == nil }
        #expect(notSnake.isEmpty, "\(notSnake)")
        #expect(try QueueStats.decodeJSONDocument(Data(text.utf8)) == [stats])
    }
}
