import Foundation
import Glibc
import JobQueue
import JobqTestSupport
import Processes
@testable import Supervisor
import Testing

/// Crash-loop protection: backoff, the breaker stored in Redis, and blaming poison jobs rather than the host.
@Suite(.serialized)
struct SuperviseCrashLoopTests {
    /// Runs `jobq supervise` on `queue` (one job waiting) with a worker that exits with `status` at
    /// once, until the breaker trips after `maxCrashes`.
    private func superviseAFailingWorker(_ queue: Queue, exitStatus status: Int, maxCrashes: Int, backoff: String) throws -> (exit: ProcessExit, output: String, error: String) {
        try enqueueExampleJobs(queue, count: 1)
        return try runJobq([
            "supervise", queue.name.rawValue, "--max-load", "100", "--max-cpu-pressure", "100", "--min-available", "1M",
            "--max-crashes", String(maxCrashes), "--crash-window", "1m", "--backoff", "\(backoff)..\(backoff)", "--tick", "100ms",
            "--", "/bin/sh", "-c", "exit \(status)",
        ])
    }

    @Test func aWorkerThatAlwaysFailsTripsTheBreakerAndTheSupervisorExits3() throws {
        let queue = try TestRedis.queue()
        let run = try superviseAFailingWorker(queue, exitStatus: 1, maxCrashes: 3, backoff: "300ms")

        #expect(run.exit.termination == .exited(code: 3), "\(run.error)")
        #expect(run.error.contains("breaker tripped: 3 crashes within 1m (last: exit status 1)"))
        let exits = try queue.workerExits()
        #expect(exits.count == 3, "launches stop at --max-crashes")
        #expect(exits.allSatisfy { $0.crash && $0.exitStatus == 1 && $0.cause == "exit status 1" && !$0.oom })
        let status = try queue.supervisorStatus()
        #expect(status.breaker)
        #expect(status.state == .breaker)
        #expect(status.breakerReason == "3 crashes within 1m (last: exit status 1)")
        #expect(status.breakerAt != nil)
        // Two backoffs of 300 ms: a supervisor that spun while waiting would have burnt 600 ms.
        #expect(run.exit.cpuTime < .milliseconds(250), "supervisor CPU time \(run.exit.cpuTime)")
        #expect(run.exit.runTime >= .milliseconds(600))
        #expect(leftoverCgroupDirectories(of: queue).isEmpty)
    }

    @Test func aWorkerExiting78WhileRedisDoesNotEvictIsACrashNotAnEvictionRefusal() throws {
        let queue = try TestRedis.queue()
        let run = try superviseAFailingWorker(queue, exitStatus: 78, maxCrashes: 2, backoff: "100ms")

        #expect(run.exit.termination == .exited(code: 3), "\(run.error)")
        #expect(run.error.contains("breaker tripped: 2 crashes within 1m (last: exit status 78)"), "\(run.error)")
        let exits = try queue.workerExits()
        #expect(exits.count == 2 && exits.allSatisfy { $0.crash && $0.exitStatus == 78 && $0.cause == "exit status 78" })
        #expect(leftoverCgroupDirectories(of: queue).isEmpty)
    }

    @Test func aSupervisorStartingWhileTheBreakerIsTrippedRefusesUntilItIsReset() throws {
        let queue = try TestRedis.queue()
        let name = queue.name.rawValue
        try enqueueExampleJobs(queue, count: 1)
        try queue.tripBreaker(reason: "5 crashes within 10m (last: OOM)", host: "web1", pid: 1)

        let refused = try runJobq(["supervise", name, "--", "/bin/true"])
        #expect(refused.exit.termination == .exited(code: 3))
        #expect(refused.error.contains("5 crashes within 10m (last: OOM)"))
        #expect(refused.error.contains("jobq breaker reset \(name)"))
        #expect(try queue.workerExits().isEmpty, "nothing was launched")

        let shown = try runJobq(["breaker", name])
        #expect(shown.exit.isSuccess)
        #expect(shown.output.contains("breaker: TRIPPED"))
        #expect(shown.output.contains("jobq breaker reset \(name)"))

        let reset = try runJobq(["breaker", "reset", name])
        #expect(reset.exit.isSuccess)
        #expect(reset.output.contains("reset"))
        let status = try queue.supervisorStatus()
        #expect(!status.breaker && status.breakerReason == nil && status.state == .stopped)
        #expect(try runJobq(["breaker", name]).output.contains("breaker: not tripped"))
    }

    @Test func aPoisonJobIsQuarantinedWithoutTrippingTheBreakerAndEveryOtherJobCompletes() throws {
        let queue = try TestRedis.queue()
        let log = NSTemporaryDirectory() + "/jobq-poison-\(UUID().uuidString).log"
        defer { unlink(log) }
        try queue.enqueue(payload: #"{"n":-1,"poison":true}"#, options: EnqueueOptions(id: "poison-job", type: "example"))
        let good = try enqueueExampleJobs(queue, count: 20)
        var configuration = fastSupervisorConfiguration()
        // Two crashes trip the breaker unless the poison job takes the blame.
        configuration.maxCrashes = 2
        let supervisor = Supervisor(
            queue: queue, command: exampleWorkerCommand(queue, jobMilliseconds: 100, log: log),
            configuration: configuration, logger: supervisorTestLogger
        )
        let running = SupervisorThread(supervisor)
        defer { running.stop() }

        // The "poison": whenever a worker holds that job, it dies (here: SIGKILL from outside).
        var kills = 0
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline, try queue.job(id: "poison-job")?.state != .dead {
            if try queue.job(id: "poison-job")?.state == .active, let pid = try queue.supervisorStatus().workerPID {
                kill(pid, SIGKILL)
                kills += 1
                #expect(eventually(timeout: .seconds(5)) { (try? queue.job(id: "poison-job"))?.state != .active })
            }
            usleep(10_000)
        }

        let poison = try #require(try queue.job(id: "poison-job"))
        #expect(kills == 2)
        #expect(poison.state == .dead)
        #expect(poison.deadReason == "poison: killed the worker 2 times (killed by SIGKILL)")
        #expect(eventually(timeout: .seconds(10)) { (try? queue.counts()).map { $0.waiting + $0.active + $0.delayed } == 0 })
        let completed = Set((try String(contentsOfFile: log, encoding: .utf8)).split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) })
        #expect(completed.isSuperset(of: good), "every good job ran")
        #expect(try queue.counts().dead == 1)
        let crashes = try queue.workerExits().filter(\.crash).reversed().map(\.jobs)
        #expect(crashes == [[.init(id: "poison-job", outcome: "requeued")], [.init(id: "poison-job", outcome: "poison")]])
        #expect(!(try queue.supervisorStatus().breaker))
        #expect(running.result(timeout: .zero) == nil, "the supervisor goes on")
        #expect(eventually(timeout: .seconds(5)) { supervisor.state == .sleeping })
        #expect(try running.stop().map { try $0.get() } == .stopped(reason: "test finished"))
    }

    @Test func aWorkerThatCannotBeStartedCountsAsCrashes() throws {
        let queue = try TestRedis.queue()
        try enqueueExampleJobs(queue, count: 1)
        var configuration = fastSupervisorConfiguration()
        configuration.maxCrashes = 2
        let running = SupervisorThread(Supervisor(
            queue: queue, command: ["/nonexistent/jobq-worker"], configuration: configuration, logger: supervisorTestLogger
        ))
        let result = try #require(running.result(timeout: .seconds(10)))
        guard case .breakerTripped(let reason) = try result.get() else {
            Issue.record("expected the breaker to trip, got \(result)")
            return
        }
        #expect(reason.hasPrefix("2 crashes within 1m (last: cannot start the worker: cannot execute /nonexistent/jobq-worker"))
        #expect(try queue.supervisorStatus().breaker)
        #expect(leftoverCgroupDirectories(of: queue).isEmpty)
    }
}
