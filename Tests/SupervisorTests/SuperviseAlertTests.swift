import Foundation
import Glibc
import JobQueue
import JobqTestSupport
import Processes
import RedisClient
@testable import Supervisor
import Synchronization
import Testing

/// A supervisor's alerts, each kind it raises, from real supervisors (`jobq supervise` processes
/// where the command line matters) with real workers, crashes, OOM kills and Redis outages.
@Suite(.serialized)
struct SuperviseAlertTests {
    /// Runs `jobq supervise` with a worker that fails at once, until 2 crashes trip the breaker.
    private func superviseACrashLoop(_ queue: Queue, alert: AlertRecorder, options: [String]) throws -> (exit: ProcessExit, output: String, error: String) {
        try runJobq([
            "supervise", queue.name.rawValue, "--max-load", "100", "--max-cpu-pressure", "100", "--min-available", "1M",
            "--max-crashes", "2", "--crash-window", "1m", "--backoff", "100ms..100ms", "--tick", "100ms",
            "--alert-exec", alert.path,
        ] + options + ["--", "/bin/sh", "-c", "exit 1"], timeout: .seconds(30))
    }

    private func alerting(_ recorder: AlertRecorder, interval: Duration = .seconds(600)) -> AlertRunner.Configuration {
        var alerts = AlertRunner.Configuration(executable: recorder.path)
        alerts.interval = interval
        return alerts
    }

    @Test func aCrashLoopingWorkerDeliversOneBreakerTrippedAlertNamingTheQueueThenASuppressedCount() throws {
        let queue = try TestRedis.queue()
        let name = queue.name.rawValue
        let recorder = try AlertRecorder()
        try enqueueExampleJobs(queue, count: 1)
        let interval = ["--alert-interval", "6s"]

        let first = try superviseACrashLoop(queue, alert: recorder, options: interval)
        let firstTrip = ContinuousClock.now
        #expect(first.exit.termination == .exited(code: 3), "\(first.error)")
        var tripped = recorder.runs("breaker_tripped")
        try #require(tripped.count == 1, "exactly one alert: \(first.error)")
        #expect(tripped[0].queue == name)
        #expect(tripped[0].arguments == ["breaker_tripped"])
        #expect(tripped[0].details["reason"] == "2 crashes within 1m (last: exit status 1)")
        #expect((tripped[0].event["summary"] as? String)?.contains("queue \(name)") == true)
        #expect(tripped[0].event["source"] as? String == "supervise")
        #expect(tripped[0].suppressed == 0)

        // The supervisor is started again (as by hand or by systemd) and trips again within the interval.
        try queue.resetBreaker()
        let second = try superviseACrashLoop(queue, alert: recorder, options: interval)
        #expect(second.exit.termination == .exited(code: 3))
        try #require(ContinuousClock.now - firstTrip < .seconds(6), "the second trip must fall within the interval for this test")
        #expect(recorder.runs("breaker_tripped").count == 1, "suppressed across supervisor processes")
        #expect(second.error.contains("alert breaker_tripped of queue \(name) suppressed"), "\(second.error)")

        // After the interval, the next trip is delivered with the count of those suppressed.
        while ContinuousClock.now - firstTrip < .seconds(6) { usleep(100_000) }
        try queue.resetBreaker()
        let third = try superviseACrashLoop(queue, alert: recorder, options: interval)
        #expect(third.exit.termination == .exited(code: 3))
        tripped = recorder.runs("breaker_tripped")
        #expect(tripped.count == 2)
        #expect(tripped.last?.suppressed == 1)
        #expect(tripped.last?.queue == name)
    }

    @Test func aHangingAlertCommandDoesNotHoldUpTheSupervisorsExitBeyondItsTimeout() throws {
        let queue = try TestRedis.queue()
        let recorder = try AlertRecorder(.hang(seconds: 303))
        try enqueueExampleJobs(queue, count: 1)
        let start = ContinuousClock.now
        let run = try superviseACrashLoop(queue, alert: recorder, options: ["--alert-timeout", "1s"])
        #expect(run.exit.termination == .exited(code: 3), "\(run.error)")
        #expect(ContinuousClock.now - start < .seconds(8), "exited once the alert command was killed")
        #expect(recorder.runs("breaker_tripped").count == 1)
        #expect(run.error.contains("ran longer than 1s and was killed"), "\(run.error)")
        #expect(eventually(timeout: .seconds(3)) { processIDs(running: "sleep", withArguments: ["303"]).isEmpty })
    }

    @Test func aHangingAlertCommandDoesNotStallSupervision() throws {
        let queue = try TestRedis.queue()
        let recorder = try AlertRecorder(.hang(seconds: 304))
        try enqueueExampleJobs(queue, count: 1)
        var configuration = fastSupervisorConfiguration()
        configuration.maxCrashes = 6
        configuration.verdictCheckInterval = .milliseconds(100)
        var alerts = alerting(recorder)
        alerts.timeout = .seconds(60)
        alerts.finishTimeout = .seconds(1)
        configuration.alerts = alerts
        // The verdict becomes CRASH LOOP at the third crash: its alert hangs while the worker
        // goes on crashing until the sixth trips the breaker.
        let running = SupervisorThread(Supervisor(queue: queue, command: ["/bin/sh", "-c", "exit 1"], configuration: configuration, logger: supervisorTestLogger))
        defer { running.stop() }
        let result = try #require(running.result(timeout: .seconds(15)))
        guard case .breakerTripped = try result.get() else {
            Issue.record("expected the breaker to trip, got \(result)")
            return
        }
        #expect(try queue.workerExits().count == 6)
        #expect(recorder.runs("verdict_crash_loop").count == 1)
        #expect(eventually(timeout: .seconds(3)) { processIDs(running: "sleep", withArguments: ["304"]).isEmpty })
    }

    @Test func aJobQuarantinedAsPoisonRaisesAnAlertNamingTheJob() throws {
        let queue = try TestRedis.queue()
        let recorder = try AlertRecorder()
        try queue.enqueue(payload: #"{"n":-1,"poison":true}"#, options: EnqueueOptions(id: "poison-job", type: "example"))
        var configuration = fastSupervisorConfiguration()
        configuration.alerts = alerting(recorder)
        let running = SupervisorThread(Supervisor(
            queue: queue, command: exampleWorkerCommand(queue, jobMilliseconds: 5000), configuration: configuration, logger: supervisorTestLogger
        ))
        defer { running.stop() }
        // Whenever a worker holds the job, it dies.
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline, try queue.job(id: "poison-job")?.state != .dead {
            if try queue.job(id: "poison-job")?.state == .active, let pid = try queue.supervisorStatus().workerPID {
                kill(pid, SIGKILL)
                #expect(eventually(timeout: .seconds(5)) { (try? queue.job(id: "poison-job"))?.state != .active })
            }
            usleep(10_000)
        }
        #expect(eventually(timeout: .seconds(5)) { recorder.runs("job_poisoned").count == 1 })
        let alert = try #require(recorder.runs("job_poisoned").first)
        #expect(alert.queue == queue.name.rawValue)
        #expect(alert.details == ["job": "poison-job", "cause": "killed by SIGKILL"])
        #expect(alert.event["severity"] as? String == "warning")
        #expect(recorder.runs("breaker_tripped").isEmpty)
    }

    @Test(.disabled(if: realCgroupV1SkipReason != nil, Comment(rawValue: realCgroupV1SkipReason ?? "")))
    func aWorkerKilledForRunningOutOfMemoryRaisesAnAlert() throws {
        let queue = try TestRedis.queue()
        let recorder = try AlertRecorder()
        try enqueueExampleJobs(queue, count: 1)
        var configuration = fastSupervisorConfiguration()
        configuration.limits = CgroupLimits(memoryMax: 64 << 20, swapMax: 0, pidsMax: 64)
        configuration.backoff = Backoff(base: .seconds(5), cap: .seconds(5))
        configuration.alerts = alerting(recorder)
        let command = ["/bin/sh", "-c", "/usr/bin/python3 -c 'b = b\"x\" * (200 << 20)'; sleep 10"]
        let running = SupervisorThread(Supervisor(queue: queue, command: command, configuration: configuration, logger: supervisorTestLogger))
        defer { running.stop() }

        #expect(eventually(timeout: .seconds(8)) { recorder.runs("worker_oom_killed").count == 1 })
        let alert = try #require(recorder.runs("worker_oom_killed").first)
        let exit = try #require(try queue.workerExits().first)
        #expect(alert.queue == queue.name.rawValue)
        #expect(alert.details["worker_pid"] == String(exit.pid))
        #expect(alert.details["worker_id"] == exit.workerID)
        #expect(alert.details["memory_max"] == String(64 << 20))
        #expect(alert.details["memory_peak"].flatMap { UInt64($0) }.map { $0 > 0 && $0 <= 64 << 20 } == true, "\(alert.details)")
    }

    @Test func aQueueThatBecomesStuckAndRecoversRaisesStuckThenOK() throws {
        let queue = try TestRedis.queue()
        let recorder = try AlertRecorder()
        let busy = Mutex(true)
        var configuration = fastSupervisorConfiguration()
        configuration.alerts = alerting(recorder)
        configuration.verdictCheckInterval = .milliseconds(100)
        configuration.verdictRules.stuckAfter = .zero
        configuration.admission = { busy.withLock { $0 } ? ["test: host busy"] : [] }
        let running = SupervisorThread(Supervisor(queue: queue, command: exampleWorkerCommand(queue), configuration: configuration, logger: supervisorTestLogger))
        defer { running.stop() }

        #expect(eventually(timeout: .seconds(5)) { supervisor(of: running) == .sleeping })
        try enqueueExampleJobs(queue, count: 1)
        #expect(eventually(timeout: .seconds(5)) { recorder.runs("verdict_stuck").count == 1 }, "launches deferred, nothing processed")
        let stuck = try #require(recorder.runs("verdict_stuck").first)
        #expect(stuck.details["verdict"] == "stuck" && stuck.details["previous"] == "ok")
        #expect(stuck.details["evidence"]?.contains("nothing processed") == true, "\(stuck.details)")
        #expect(stuck.event["severity"] as? String == "critical")

        busy.withLock { $0 = false }
        #expect(eventually(timeout: .seconds(10)) { recorder.runs("verdict_ok").count == 1 }, "the job ran")
        let ok = try #require(recorder.runs("verdict_ok").first)
        #expect(ok.details["verdict"] == "ok" && ok.details["previous"] == "stuck")
        #expect(ok.queue == queue.name.rawValue)
        #expect(recorder.runs().map(\.kind) == ["verdict_stuck", "verdict_ok"], "nothing else")
    }

    @Test func aGrowingBacklogRaisesBacklogThenOKOnceItIsGone() throws {
        let queue = try TestRedis.queue()
        let recorder = try AlertRecorder()
        var configuration = fastSupervisorConfiguration()
        configuration.alerts = alerting(recorder)
        configuration.verdictCheckInterval = .milliseconds(100)
        try queue.pause()
        let running = SupervisorThread(Supervisor(queue: queue, command: exampleWorkerCommand(queue), configuration: configuration, logger: supervisorTestLogger))
        defer { running.stop() }
        // Sleeping: its first verdict (OK) is judged.
        #expect(eventually(timeout: .seconds(5)) { supervisor(of: running) == .sleeping })

        let ids = try enqueueExampleJobs(queue, count: 12)
        #expect(eventually(timeout: .seconds(5)) { recorder.runs("verdict_backlog").count == 1 })
        #expect(recorder.runs("verdict_backlog").first?.details["previous"] == "ok")
        for id in ids { _ = try queue.cancel(id: id) }
        #expect(eventually(timeout: .seconds(5)) { recorder.runs("verdict_ok").count == 1 })
        #expect(recorder.runs("verdict_ok").first?.details["previous"] == "backlog")
    }

    @Test func redisUnreachableBeyondTheThresholdRaisesAnAlertWithoutItsPasswordAndItsReturnAnother() throws {
        let canary = "canary-\(UUID().uuidString.prefix(8))"
        let server = try RedisServer(arguments: ["--requirepass", canary])
        let url = "redis://:\(canary)@127.0.0.1:\(server.port)/0"
        let queue = try Queue(name: uniqueQueueName(), connection: RedisConnection(configuration: RedisConfiguration(url: url)))
        let recorder = try AlertRecorder()
        var configuration = fastSupervisorConfiguration()
        configuration.redisUnreachableAlertAfter = .milliseconds(500)
        var alerts = alerting(recorder)
        alerts.environment = ProcessInfo.processInfo.environment.merging(["JOBQ_REDIS_URL": url, "JOBQ_REDIS_PASSWORD": canary]) { $1 }
        configuration.alerts = alerts
        let running = SupervisorThread(Supervisor(queue: queue, command: exampleWorkerCommand(queue), configuration: configuration, logger: supervisorTestLogger))
        defer { running.stop() }
        #expect(eventually(timeout: .seconds(5)) { supervisor(of: running) == .sleeping })

        server.stop()
        let down = ContinuousClock.now
        #expect(eventually(timeout: .seconds(10)) { recorder.runs("redis_unreachable").count == 1 })
        #expect(ContinuousClock.now - down >= .milliseconds(500), "not before the threshold")
        let unreachable = try #require(recorder.runs("redis_unreachable").first)
        #expect(unreachable.queue == queue.name.rawValue)
        #expect(unreachable.details["redis"]?.contains("127.0.0.1:\(server.port)") == true, "\(unreachable.details)")
        #expect(Int(unreachable.details["down_for_ms"] ?? "") ?? 0 >= 500)

        try server.start()
        #expect(eventually(timeout: .seconds(15)) { recorder.runs("redis_reachable").count == 1 })
        #expect(recorder.runs("redis_unreachable").count == 1, "one alert per outage")
        for run in recorder.runs() {
            #expect(!run.environment.contains(canary) && !run.input.contains(canary) && !run.arguments.joined().contains(canary), "\(run.input)")
        }
    }

    private func supervisor(of running: SupervisorThread) -> SupervisorState? {
        running.supervisor.state
    }
}
