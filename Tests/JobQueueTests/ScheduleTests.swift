import Foundation
@testable import JobQueue
import JobqTestSupport
import RedisClient
import StatsRendering
import Synchronization
import Testing

/// Schedules against a real Redis: storage, firing, the lease, compare-and-set between racing
/// schedulers, catch-up policies, skip-if-running, pause, resume and remove.
@Suite("Recurring schedules") struct ScheduleTests {
    /// A scheduler holding the lease as `holder`, with a short lease for tests that hand it over.
    static func scheduler(_ queue: Queue, holder: String, lease: Duration = .seconds(15)) -> Scheduler {
        var configuration = Scheduler.Configuration()
        configuration.holder = holder
        configuration.leaseTTL = lease
        return Scheduler(queues: [queue], configuration: configuration)
    }

    /// Moves a schedule's next fire time to `at`, as if no scheduler had run since then.
    static func makeDue(_ queue: Queue, _ name: String, at: Int64) throws {
        _ = try queue.connection.command(["HSET", RedisArgument(queue.keys.schedule(name)), "next_at", RedisArgument(String(at))])
        _ = try queue.connection.command(["ZADD", RedisArgument(queue.keys.scheduleNext), RedisArgument(String(at)), RedisArgument(name)])
    }

    static func jobIDs(_ queue: Queue) throws -> [String] {
        let entries = try queue.connection.command(["LRANGE", RedisArgument(queue.keys.wait), "0", "-1"]).array ?? []
        return entries.compactMap { $0.string.map { String($0.dropFirst()) } }.reversed()
    }

    static func fields(_ queue: Queue, job id: String) throws -> [String: String] {
        Queue.fields(try queue.connection.command(["HGETALL", RedisArgument(queue.keys.job(id))]))
    }

    @Test func aScheduleIsStoredListedShownPausedResumedAndRemoved() throws {
        let queue = try TestRedis.queue()
        let added = try queue.addSchedule(NewSchedule(
            name: "nightly", rule: .cron("0 3 * * *", timeZone: "Europe/Berlin"), payload: #"{"path":"guide.md"}"#, type: "ingest",
            catchUp: .all, skipIfRunning: true))
        #expect(added.name == "nightly" && added.type == "ingest" && added.payload == #"{"path":"guide.md"}"#)
        #expect(added.catchUp == .all && added.skipIfRunning && !added.paused && added.maxAttempts == 5)
        let nextAt = try #require(added.nextAt)
        #expect(nextAt > added.createdAt && nextAt - added.createdAt <= 24 * 3_600_000 + 3_600_000)
        try queue.addSchedule(NewSchedule(name: "often", rule: .interval(.seconds(30)), payload: "1"))
        #expect(throws: JobQueueError.self) { try queue.addSchedule(NewSchedule(name: "often", rule: .every(.seconds(5)), payload: "1")) }
        #expect(try queue.schedules().schedules.map(\.name) == ["nightly", "often"])
        #expect(try queue.schedule(named: "often").nextAt == queue.schedule(named: "often").createdAt + 30_000, "anchored on creation")

        try queue.pauseSchedule(named: "nightly")
        let paused = try queue.schedule(named: "nightly")
        #expect(paused.paused && paused.nextAt == nil)
        #expect(try queue.connection.command(["ZSCORE", RedisArgument(queue.keys.scheduleNext), "nightly"]).string == nil)
        let resumed = try queue.resumeSchedule(named: "nightly")
        #expect(!resumed.paused && resumed.nextAt == nextAt)

        try queue.removeSchedule(named: "nightly")
        #expect(try queue.schedules().schedules.map(\.name) == ["often"])
        for call in [{ try queue.removeSchedule(named: "nightly") }, { try queue.pauseSchedule(named: "nightly") }, { _ = try queue.schedule(named: "nightly") }] {
            #expect { try call() } throws: { ($0 as? JobQueueError)?.code == .scheduleNotFound }
        }
        try queue.removeSchedule(named: "often")
        let left = try queue.connection.command(["KEYS", RedisArgument(queue.keys.base + "schedule*")]).array ?? []
        #expect(left.isEmpty, "removing every schedule leaves no schedule key: \(left)")
    }

    @Test func badSchedulesAreRefusedBeforeAnythingIsWritten() throws {
        let queue = try TestRedis.queue()
        let cases: [(NewSchedule, JobQueueError.Code)] = [
            (NewSchedule(name: "bad name", rule: .every(.seconds(5)), payload: "{}"), .invalidSchedule),
            (NewSchedule(name: "fast", rule: .every(.milliseconds(10)), payload: "{}"), .invalidSchedule),
            (NewSchedule(name: "json", rule: .every(.seconds(5)), payload: "{not json"), .invalidJob),
            (NewSchedule(name: "attempts", rule: .every(.seconds(5)), payload: "{}", maxAttempts: 0), .invalidJob),
            (NewSchedule(name: "type", rule: .every(.seconds(5)), payload: "{}", type: ""), .invalidJob),
        ]
        for (schedule, code) in cases {
            #expect { try queue.addSchedule(schedule) } throws: { ($0 as? JobQueueError)?.code == code }
        }
        #expect(try queue.schedules().schedules.isEmpty)
    }

    @Test func aTickEnqueuesTheSameJobRecordAsEnqueue() throws {
        let queue = try TestRedis.queue()
        try queue.addSchedule(NewSchedule(name: "s", rule: .every(.seconds(60)), payload: #"{"a":[1,2]}"#, type: "ingest", maxAttempts: 3))
        let now = try queue.schedules().now
        try Self.makeDue(queue, "s", at: now - 100)
        let pass = try Self.scheduler(queue, holder: "a").runPass()
        #expect(pass.first?.enqueued == 1 && pass.first?.leader == true)
        let id = try #require(Self.jobIDs(queue).first)
        #expect(id == "schedule:s:\(now - 100)")
        try queue.enqueue(payload: #"{"a":[1,2]}"#, options: EnqueueOptions(id: "plain", type: "ingest", maxAttempts: 3))
        var scheduled = try Self.fields(queue, job: id)
        var plain = try Self.fields(queue, job: "plain")
        #expect(scheduled.removeValue(forKey: "enqueued_at") != nil && plain.removeValue(forKey: "enqueued_at") != nil)
        #expect(scheduled == plain)
        #expect(try queue.stats().counters.total.enqueued == 2, "a scheduled job counts as enqueued")

        let consumer = try Consumer(queue: queue)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        #expect(job.id == id && job.type == "ingest" && job.maxAttempts == 3)
        #expect(try job.payloadJSON() == #"{"a":[1,2]}"#)
        let schedule = try queue.schedule(named: "s")
        #expect(schedule.lastJobID == id && schedule.lastJobState == "active" && schedule.enqueued == 1)
        #expect(schedule.nextAt == now - 100 + 60_000, "the next tick follows the one fired")
        _ = try consumer.ack(job)
        #expect(try queue.schedule(named: "s").lastJobState == nil, "a completed job is not kept")
    }

    @Test func onlyTheLeaseHolderFiresAndAnotherTakesOverWhenItLapses() throws {
        let queue = try TestRedis.queue()
        try queue.addSchedule(NewSchedule(name: "s", rule: .every(.seconds(60)), payload: "{}"))
        let first = Self.scheduler(queue, holder: "first")
        let second = Self.scheduler(queue, holder: "second")
        #expect(try first.runPass().first?.leader == true)
        let standby = try #require(try second.runPass().first)
        #expect(!standby.leader && standby.sleep == second.configuration.maxSleep, "a lease far from lapsing: look again a second later")
        #expect(try queue.schedules().schedulerHolder == "first")
        let now = try queue.schedules().now
        try Self.makeDue(queue, "s", at: now)
        #expect(try second.runPass().first?.enqueued == 0, "not the holder: fires nothing")
        #expect(try Self.jobIDs(queue).isEmpty)
        // The holder stops renewing (it died): its lease has 300 ms left.
        _ = try queue.connection.command(["PEXPIRE", RedisArgument(queue.keys.scheduler), "300"])
        let waiting = try #require(try second.runPass().first)
        #expect(!waiting.leader && waiting.sleep <= .milliseconds(310), "a standby looks again when the lease would lapse")
        usleep(350_000)
        let takeover = try #require(try second.runPass().first)
        #expect(takeover.leader && takeover.enqueued == 1)
        #expect(try first.runPass().first?.leader == false)
        second.releaseLeases()
        #expect(try queue.schedules().schedulerHolder == nil, "a scheduler that stops gives its lease up")
        #expect(try first.runPass().first?.leader == true, "and another takes it at its next look")
        second.releaseLeases()
        #expect(try queue.schedules().schedulerHolder == "first", "only the holder can give the lease up")
        _ = try queue.connection.command(["PERSIST", RedisArgument(queue.keys.scheduler)])
        #expect(try second.runPass().first?.sleep == second.configuration.maxSleep, "a lease without a TTL (set by hand): no spinning")
    }

    @Test func schedulersRacingForTheSameTicksEnqueueEachOnce() throws {
        let queue = try TestRedis.queue()
        try queue.addSchedule(NewSchedule(name: "s", rule: .every(.seconds(1)), payload: "{}", catchUp: .all))
        // Two schedulers under the same name both pass the lease check (as after a lease that
        // lapsed mid-pass): only the compare-and-set of the next fire time keeps them apart.
        let racers = (0..<4).map { _ in Self.scheduler(queue, holder: "same") }
        var expected = 0
        for round in 0..<20 {
            let now = try queue.schedules().now
            try Self.makeDue(queue, "s", at: now - Int64(round % 5) * 1000)
            expected += round % 5 + 1
            let start = DispatchSemaphore(value: 0)
            let done = DispatchGroup()
            let enqueued = Atomic<Int>(0)
            for racer in racers {
                done.enter()
                Thread {
                    start.wait()
                    if let pass = try? racer.runPass().first { enqueued.add(pass.enqueued, ordering: .relaxed) }
                    done.leave()
                }.start()
            }
            for _ in racers { start.signal() }
            done.wait()
            #expect(enqueued.load(ordering: .relaxed) == round % 5 + 1, "round \(round)")
        }
        let ids = try Self.jobIDs(queue)
        #expect(ids.count == expected && Set(ids).count == expected)
        #expect(try queue.schedule(named: "s").enqueued == expected)
    }

    @Test func twoSchedulersUnderDifferentNamesNeverBothFire() throws {
        let queue = try TestRedis.queue()
        try queue.addSchedule(NewSchedule(name: "s", rule: .every(.seconds(1)), payload: "{}", catchUp: .all))
        let schedulers = [Self.scheduler(queue, holder: "host-a/1"), Self.scheduler(queue, holder: "host-b/2")]
        let stopAt = ContinuousClock.now + .milliseconds(3500)
        let group = DispatchGroup()
        let leaders = Mutex<Set<String>>([])
        for scheduler in schedulers {
            group.enter()
            Thread {
                while ContinuousClock.now < stopAt {
                    if let pass = try? scheduler.runPass().first, pass.enqueued > 0 {
                        leaders.withLock { _ = $0.insert(scheduler.configuration.holder) }
                    }
                    usleep(20_000)
                }
                group.leave()
            }.start()
        }
        group.wait()
        // A last look by each, so that every tick due by now is fired whatever the machine's load.
        for scheduler in schedulers where try scheduler.runPass().first.map({ $0.enqueued > 0 }) == true {
            leaders.withLock { _ = $0.insert(scheduler.configuration.holder) }
        }
        #expect(leaders.withLock { $0.count } == 1)
        let schedule = try queue.schedule(named: "s")
        let ids = try Self.jobIDs(queue)
        #expect(ids.count >= 3 && ids.count == schedule.enqueued, "\(ids)")
        let ticks = ids.compactMap { Int64($0.split(separator: ":").last ?? "") }
        #expect(ticks.first == schedule.createdAt + 1000 && ticks.last == schedule.lastTickAt, "\(ticks)")
        #expect(zip(ticks, ticks.dropFirst()).allSatisfy { $1 - $0 == 1000 }, "one job per tick, a second apart: \(ticks)")
    }

    @Test(arguments: [(CatchUpPolicy.none, 0, 3), (.one, 1, 2), (.all, 3, 0)])
    func missedTicksAfterDowntimeFollowThePolicy(_ policy: CatchUpPolicy, _ jobs: Int, _ missed: Int) throws {
        let queue = try TestRedis.queue("catchUp-\(policy)")
        try queue.addSchedule(NewSchedule(name: "s", rule: .every(.seconds(600)), payload: "{}", catchUp: policy))
        let now = try queue.schedules().now
        try Self.makeDue(queue, "s", at: now - 25 * 60_000)
        let pass = try #require(try Self.scheduler(queue, holder: "a").runPass().first)
        #expect(pass.enqueued == jobs && pass.missed == missed)
        let schedule = try queue.schedule(named: "s")
        #expect(schedule.enqueued == jobs && schedule.missed == missed)
        #expect(try Self.jobIDs(queue).count == jobs)
        let next = try #require(schedule.nextAt)
        #expect(next == now + 5 * 60_000, "the next tick keeps the interval's phase")
        #expect(try Self.scheduler(queue, holder: "a").runPass().first?.enqueued == 0, "nothing more is due")
    }

    @Test func aScheduleThatSkipsWhileRunningWaitsForItsJobToEnd() throws {
        let queue = try TestRedis.queue()
        try queue.addSchedule(NewSchedule(name: "s", rule: .every(.seconds(60)), payload: "{}", skipIfRunning: true))
        let scheduler = Self.scheduler(queue, holder: "a")
        // Each round makes a new tick due: now, a few ms after the last (ticks are distinct times).
        func nextTickIsDue() throws {
            usleep(3_000)
            try Self.makeDue(queue, "s", at: try queue.schedules().now)
        }
        try nextTickIsDue()
        #expect(try scheduler.runPass().first?.enqueued == 1)
        for _ in 0..<2 {
            try nextTickIsDue()
            let pass = try #require(try scheduler.runPass().first)
            #expect(pass.enqueued == 0 && pass.skipped == 1, "the first job still waits")
        }
        let consumer = try Consumer(queue: queue)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        try nextTickIsDue()
        #expect(try scheduler.runPass().first?.skipped == 1, "nor while it runs")
        _ = try consumer.ack(job)
        try nextTickIsDue()
        #expect(try scheduler.runPass().first?.enqueued == 1, "once it ended, the next tick enqueues")
        let schedule = try queue.schedule(named: "s")
        #expect(schedule.enqueued == 2 && schedule.skipped == 3 && schedule.lastSkippedAt != nil)
        #expect(try Self.jobIDs(queue).count == 1)
    }

    @Test func aScheduleThisVersionCannotReadDoesNotHoldUpTheOthers() throws {
        let queue = try TestRedis.queue()
        try queue.addSchedule(NewSchedule(name: "a-odd", rule: .every(.seconds(60)), payload: "{}"))
        try queue.addSchedule(NewSchedule(name: "b-fine", rule: .every(.seconds(60)), payload: "{}"))
        _ = try queue.connection.command(["HSET", RedisArgument(queue.keys.schedule("a-odd")), "kind", "lunar"])
        let listing = try queue.schedules()
        #expect(listing.schedules.map(\.name) == ["b-fine"])
        #expect(listing.unreadable["a-odd"]?.contains("'lunar' is unknown to this version") == true)
        #expect { try queue.schedule(named: "a-odd") } throws: { ($0 as? JobQueueError)?.code == .unreadableSchedule }
        #expect { try queue.resumeSchedule(named: "a-odd") } throws: {
            ($0 as? JobQueueError)?.code == .unreadableSchedule
                && ($0 as? JobQueueError)?.message.contains("schedule 'a-odd' of queue \(queue.name) cannot be read") == true
        }
        try Self.makeDue(queue, "a-odd", at: listing.now - 10)
        try Self.makeDue(queue, "b-fine", at: listing.now - 10)
        #expect(try Self.scheduler(queue, holder: "a").runPass().first?.enqueued == 1)
        #expect(try Self.jobIDs(queue) == ["schedule:b-fine:\(listing.now - 10)"])
        let stats = try queue.stats()
        #expect(stats.schedules.map(\.name) == ["b-fine"], "stats show what they can read")
        #expect(stats.unreadableSchedules["a-odd"]?.contains("'lunar' is unknown to this version") == true, "and name what they cannot")
        #expect(try QueueStats.decodeJSONDocument(Data(QueueStats.jsonDocument([stats]).utf8)).first?.unreadableSchedules == stats.unreadableSchedules)
        #expect(QueueStats.prometheusText([stats]).contains(#"jobq_schedules_unreadable{queue="\#(queue.name)"} 1"#))
        #expect(stats.renderText(width: 300).contains("a-odd: cannot be read by this version of jobq (stored rule kind 'lunar' is unknown to this version); it does not fire"))
    }

    @Test func aScheduleHashMissingItsJobDoesNotHoldUpTheOthers() throws {
        let queue = try TestRedis.queue()
        try queue.addSchedule(NewSchedule(name: "a-partial", rule: .every(.seconds(60)), payload: "{}", skipIfRunning: true))
        try queue.addSchedule(NewSchedule(name: "b-fine", rule: .every(.seconds(60)), payload: "{}"))
        _ = try queue.connection.command(["HDEL", RedisArgument(queue.keys.schedule("a-partial")), "payload"])
        let now = try queue.schedules().now
        try Self.makeDue(queue, "a-partial", at: now - 20)
        try Self.makeDue(queue, "b-fine", at: now - 10)
        let pass = try #require(try Self.scheduler(queue, holder: "a").runPass().first)
        #expect(pass.enqueued == 1)
        #expect(try Self.jobIDs(queue) == ["schedule:b-fine:\(now - 10)"])
        let listing = try queue.schedules()
        #expect(listing.schedules.map(\.name) == ["b-fine"] && listing.unreadable["a-partial"]?.contains("no payload") == true)
        #expect(try queue.connection.command(["KEYS", RedisArgument(queue.keys.base + "unique*")]).array?.isEmpty == true, "nothing half-written")
    }

    @Test func anUnreadableScheduleIsLoggedOnceAndAFailingQueueOnceWhileOthersFire() throws {
        let queue = try TestRedis.queue()
        try queue.addSchedule(NewSchedule(name: "odd", rule: .every(.seconds(60)), payload: "{}"))
        try queue.addSchedule(NewSchedule(name: "fine", rule: .every(.seconds(1)), payload: "{}", catchUp: .all))
        _ = try queue.connection.command(["HSET", RedisArgument(queue.keys.schedule("odd")), "kind", "lunar"])
        try Self.makeDue(queue, "odd", at: try queue.schedules().now - 10)
        // A second queue on a server that is not there: every pass on it fails.
        let down = Queue(name: try uniqueQueueName(), connection: RedisConnection(openingLazily: try RedisConfiguration(url: "redis://127.0.0.1:1/0")))
        let log = RecordedLog()
        var configuration = Scheduler.Configuration()
        configuration.holder = "logging"
        configuration.maxSleep = .milliseconds(50)
        let scheduler = Scheduler(queues: [queue, down], configuration: configuration, logger: log.logger)
        let finished = DispatchSemaphore(value: 0)
        Thread {
            scheduler.run()
            finished.signal()
        }.start()
        #expect(eventually(timeout: .seconds(10)) { ((try? queue.schedule(named: "fine"))?.enqueued ?? 0) >= 2 }, "the readable schedule fires")
        scheduler.stop()
        #expect(finished.wait(timeout: .now() + .seconds(10)) == .success)
        let warnings = log.messages(at: .warning)
        #expect(warnings.filter { $0.contains("schedule odd of queue \(queue.name)") }.count == 1, "\(warnings)")
        #expect(warnings.filter { $0.contains("queue \(down.name)") }.count == 1, "\(warnings)")
        #expect(warnings.count == 2, "\(warnings)")
        #expect(log.messages(at: .info).allSatisfy { !$0.contains("can be fired again") }, "nothing recovered: \(log.messages(at: .info))")
    }

    @Test func manyUnreadableSchedulesNeitherStarveTheOthersNorSpin() throws {
        let queue = try TestRedis.queue()
        let now = try queue.schedules().now
        for index in 0..<Scheduler.dueLimit {
            let name = "odd-\(index)"
            try queue.addSchedule(NewSchedule(name: name, rule: .every(.seconds(60)), payload: "{}"))
            _ = try queue.connection.command(["HSET", RedisArgument(queue.keys.schedule(name)), "kind", "lunar"])
            try Self.makeDue(queue, name, at: now - 1000)
        }
        try queue.addSchedule(NewSchedule(name: "fine", rule: .every(.seconds(60)), payload: "{}"))
        try Self.makeDue(queue, "fine", at: now - 10)
        let scheduler = Self.scheduler(queue, holder: "a")
        let first = try #require(try scheduler.runPass().first)
        #expect(first.enqueued == 0 && first.sleep > .zero, "a pass that fired nothing does not come again at once")
        let second = try #require(try scheduler.runPass().first)
        #expect(second.enqueued == 1, "the unreadable schedules, once known, no longer take the readable one's place")
    }

    @Test func pausedAndRemovedSchedulesFireNothing() throws {
        let queue = try TestRedis.queue()
        try queue.addSchedule(NewSchedule(name: "p", rule: .every(.seconds(60)), payload: "{}"))
        try queue.addSchedule(NewSchedule(name: "r", rule: .every(.seconds(60)), payload: "{}"))
        let now = try queue.schedules().now
        try Self.makeDue(queue, "p", at: now - 1000)
        try Self.makeDue(queue, "r", at: now - 1000)
        try queue.pauseSchedule(named: "p")
        try queue.removeSchedule(named: "r")
        #expect(try Self.scheduler(queue, holder: "a").runPass().first?.enqueued == 0)
        let resumed = try queue.resumeSchedule(named: "p")
        #expect(try #require(resumed.nextAt) > now, "ticks while paused are not caught up")
        #expect(try Self.scheduler(queue, holder: "a").runPass().first?.enqueued == 0)
        #expect(try Self.jobIDs(queue).isEmpty)
    }

    @Test func statsShowEachScheduleWithItsNextRunAndLastResult() throws {
        let queue = try TestRedis.queue()
        try queue.addSchedule(NewSchedule(name: "s", rule: .cron("*/5 * * * *"), payload: "{}"))
        try Self.makeDue(queue, "s", at: try queue.schedules().now - 10)
        try Self.scheduler(queue, holder: "host/7").runPass()
        let stats = try queue.stats()
        let schedule = try #require(stats.schedules.first)
        #expect(stats.schedulerHolder == "host/7")
        #expect(schedule.enqueued == 1 && schedule.lastJobState == "waiting" && schedule.nextAt.map { $0 > stats.at } == true)
        let json = try QueueStats.jsonDocument([stats])
        #expect(json.contains(#""cron" : "*\/5 * * * *""#) || json.contains(#""cron" : "*/5 * * * *""#))
        #expect(json.contains(#""scheduler" : "host/7""#) && json.contains(#""last_job_state" : "waiting""#))
        let decoded = try QueueStats.decodeJSONDocument(Data(json.utf8))
        #expect(decoded.first?.schedules == stats.schedules)
        let metrics = QueueStats.prometheusText([stats])
        #expect(metrics.contains(#"jobq_schedule_enqueued_total{queue="\#(queue.name)",schedule="s"} 1"#), "\(metrics)")
        #expect(metrics.contains(#"jobq_schedule_next_run_timestamp_seconds{queue="\#(queue.name)",schedule="s"} "#))
        let text = stats.renderText(width: 200)
        #expect(text.contains("  schedules   s: cron */5 * * * * (UTC); next in "), "\(text)")
        #expect(text.contains("(waiting) enqueued just now; 1 enqueued, 0 skipped, 0 missed") && text.contains("scheduler held by host/7"))
    }
}
