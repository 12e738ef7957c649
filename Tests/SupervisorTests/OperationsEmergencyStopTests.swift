import Foundation
import Glibc
import JobQueue
import JobqTestSupport
import Processes
import Testing

/// `jobq emergency-stop` against real processes: a `jobq supervise` running a long job, and
/// duplicate worker processes on this host.
@Suite(.serialized) struct OperationsEmergencyStopTests {
    @Test func anEmergencyStopMidJobPutsTheJobBackAndLeavesNoWorkerAndResumeRunsItAgain() throws {
        let queue = try TestRedis.queue()
        let name = queue.name.rawValue
        let jobID = try enqueueExampleJobs(queue, count: 1)[0]
        let supervisor = try JobqProcess(
            ["supervise", name, "--tick", "100ms", "--stop-timeout", "1s", "--max-load", "100", "--max-cpu-pressure", "100", "--min-available", "1M", "--"]
                + exampleWorkerCommand(queue, jobMilliseconds: 20_000))
        defer { _ = supervisor.child.terminate(grace: .seconds(5)) }
        guard eventually(timeout: .seconds(15), { (try? queue.job(id: jobID))?.state == .active }) else {
            Issue.record("the job never started: \(try queue.supervisorStatus()) \(supervisor.standardError)")
            return
        }
        #expect(exampleWorkers(of: queue).count == 1)

        let stop = try runJobq(["emergency-stop", name, "--wait", "15s"])
        #expect(stop.exit.isSuccess, "\(stop.output)\(stop.error)")
        #expect(stop.output.contains("  no job of \(name) is running: every job in hand is back in waiting"))
        let job = try #require(try queue.job(id: jobID))
        #expect(job.state == .waiting && job.crashes == 0 && job.attempts == 0, "back in waiting, not blamed")
        #expect(exampleWorkers(of: queue).isEmpty)
        let stats = try queue.stats()
        #expect(stats.verdicts.map(\.kind) == [.stopped, .paused])
        #expect(stats.supervisor.state == .stopped && stats.jobs.active == 0)
        #expect(stats.recentExits.first?.jobs == [WorkerExitRecord.Job(id: jobID, outcome: "returned")])
        #expect(stats.lastEmergencyStop?.steps == ["paused", "stop requested", "no job left running"])
        usleep(500_000)
        #expect(exampleWorkers(of: queue).isEmpty, "nothing is launched while the stop holds")

        let resume = try runJobq(["resume", name])
        #expect(resume.exit.isSuccess)
        #expect(try !queue.isPaused() && queue.stopRequest() == nil)
        #expect(eventually(timeout: .seconds(15)) {
            guard let stats = try? queue.stats() else { return false }
            return stats.jobs.active == 1 || stats.supervisor.state == .deferred
        }, "the supervisor takes the job up again, or defers it while the host is busy: \(String(describing: try? queue.supervisorStatus()))")
    }

    @Test func killDuplicatesEndsExactlyTheSurplusCopyOfAWorkerAndNothingElse() throws {
        let token = "jobq-ops-worker-\(UUID().uuidString.prefix(8).lowercased())"
        let older = try launchSleeper(named: token)
        defer { _ = older.terminate(grace: .zero) }
        usleep(300_000)
        let younger = try launchSleeper(named: token)
        defer { _ = younger.terminate(grace: .zero) }
        let bystander = try launchSleeper(named: "jobq-ops-bystander-\(UUID().uuidString.prefix(8).lowercased())")
        defer { _ = bystander.terminate(grace: .zero) }
        usleep(300_000)

        let plan = try runJobq(["emergency-stop", "--kill-duplicates", "--worker-pattern", token, "--dry-run"])
        #expect(plan.exit.isSuccess)
        #expect(plan.output.contains("  - end pid \(younger.pid) (SIGTERM, SIGKILL after 10s): \(token) 30\n"))
        #expect(!plan.output.contains("pid \(older.pid)"))
        #expect(!ProcessState.isGone(younger.pid), "a dry run ends nothing")

        let run = try runJobq(["emergency-stop", "--kill-duplicates", "--worker-pattern", token])
        #expect(run.exit.isSuccess, "\(run.output)\(run.error)")
        #expect(run.output.contains("  pid \(younger.pid) ended (SIGTERM): \(token) 30\n"))
        #expect(younger.wait(timeout: .seconds(5)) != nil)
        #expect(!ProcessState.isGone(older.pid), "the copy that stays is left alone")
        #expect(!ProcessState.isGone(bystander.pid), "other processes are left alone")
    }
}
