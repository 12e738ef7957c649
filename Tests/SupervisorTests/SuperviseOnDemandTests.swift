import Foundation
import Glibc
import JobQueue
import JobqTestSupport
import Processes
import Synchronization
@testable import Supervisor
import Testing

/// Workers run only when there is work, one at a time on all hosts, and an idle supervisor costs nothing.
@Suite(.serialized)
struct SuperviseOnDemandTests {
    @Test func noJobNoProcessAndAJobStartsAWorkerThatDrainsTheQueueAndExits() throws {
        let queue = try TestRedis.queue()
        let supervisor = Supervisor(queue: queue, command: exampleWorkerCommand(queue), configuration: fastSupervisorConfiguration(), logger: supervisorTestLogger)
        let running = SupervisorThread(supervisor)
        defer { running.stop() }

        #expect(eventually(timeout: .seconds(5)) { supervisor.state == .sleeping })
        usleep(800_000)  // eight ticks with nothing to do
        #expect(exampleWorkers(of: queue).isEmpty)
        #expect(try queue.workerExits().isEmpty)
        let sleeping = try queue.supervisorStatus()
        #expect(sleeping.state == .sleeping && sleeping.detail == "no waiting jobs" && sleeping.workerPID == nil)

        try enqueueExampleJobs(queue, count: 3)
        #expect(eventually(timeout: .seconds(5)) { (try? queue.supervisorStatus().state) == .running })
        if realCgroupV1SkipReason == nil {
            #expect(workerCgroupNames(of: queue).count == 1, "the worker runs in a cgroup of its own")
        }
        #expect(eventually(timeout: .seconds(10)) { ((try? queue.workerExits()) ?? []).count == 1 })
        let exit = try #require(try queue.workerExits().first)
        #expect(exit.exitStatus == 0 && !exit.crash && exit.jobs.isEmpty)
        let counts = try queue.counts()
        #expect(counts.waiting + counts.active + counts.delayed + counts.dead == 0, "drained: \(counts)")
        #expect(eventually(timeout: .seconds(2)) { supervisor.state == .sleeping })
        #expect(exampleWorkers(of: queue).isEmpty)
        usleep(500_000)
        #expect(try queue.workerExits().count == 1, "one worker ran all three jobs, and none was started since")
        #expect(workerCgroupNames(of: queue).isEmpty, "the exited worker's cgroup was removed")
        #expect(running.stop() != nil)
        #expect(leftoverCgroupDirectories(of: queue).isEmpty)
    }

    @Test func launchesWaitWhileTheHostIsBusy() throws {
        let queue = try TestRedis.queue()
        try enqueueExampleJobs(queue, count: 1)
        let busy = Atomic<Bool>(true)
        var configuration = fastSupervisorConfiguration()
        configuration.admission = { busy.load(ordering: .relaxed) ? ["load average 3.2 > 1.5"] : [] }
        let supervisor = Supervisor(queue: queue, command: exampleWorkerCommand(queue), configuration: configuration, logger: supervisorTestLogger)
        let running = SupervisorThread(supervisor)
        defer { running.stop() }

        #expect(eventually(timeout: .seconds(5)) { (try? queue.supervisorStatus().state) == .deferred })
        #expect(try queue.supervisorStatus().detail == "host busy: load average 3.2 > 1.5")
        usleep(500_000)
        #expect(try queue.workerExits().isEmpty && exampleWorkers(of: queue).isEmpty)
        busy.store(false, ordering: .relaxed)
        #expect(eventually(timeout: .seconds(10)) { ((try? queue.workerExits()) ?? []).count == 1 })
        #expect(try queue.counts().waiting == 0)
    }

    @Test func twoSupervisorsOfOneQueueNeverRunTwoWorkersAndTheSecondStandsBy() throws {
        let queue = try TestRedis.queue()
        let name = queue.name.rawValue
        try enqueueExampleJobs(queue, count: 10)
        let arguments = ["supervise", name, "--tick", "100ms", "--max-load", "100", "--max-cpu-pressure", "100", "--min-available", "1M", "--"] + exampleWorkerCommand(queue, jobMilliseconds: 100)
        let first = try JobqProcess(arguments)
        defer { _ = first.child.terminate(grace: .seconds(5)) }
        #expect(eventually(timeout: .seconds(5)) { (try? queue.supervisorStatus())?.pid == first.pid })
        let second = try JobqProcess(arguments)
        defer { _ = second.child.terminate(grace: .seconds(5)) }

        var mostWorkers = 0
        func sample(until condition: () -> Bool, timeout: Duration) -> Bool {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                mostWorkers = max(mostWorkers, exampleWorkers(of: queue).count)
                if condition() { return true }
                usleep(10_000)
            }
            return false
        }
        #expect(sample(until: { (try? queue.supervisorStatus())?.standby?.hasSuffix("/\(second.pid)") == true }, timeout: .seconds(5)))
        #expect(sample(until: { (try? queue.counts()).map { $0.waiting + $0.active } == 0 }, timeout: .seconds(10)))

        first.child.signal(SIGTERM)
        #expect(first.finish(timeout: .seconds(5)).isSuccess)
        try enqueueExampleJobs(queue, count: 5)
        #expect(sample(until: { (try? queue.supervisorStatus()).map { $0.pid == second.pid && $0.state == .running } == true }, timeout: .seconds(8)))
        #expect(sample(until: { (try? queue.counts()).map { $0.waiting + $0.active } == 0 }, timeout: .seconds(10)))
        #expect(mostWorkers == 1, "never two workers at once")
        second.child.signal(SIGTERM)
        #expect(second.finish(timeout: .seconds(5)).isSuccess)
        #expect(second.standardError.contains("standby: supervisor of \(name) is held by "))
        #expect(second.standardError.contains("/\(first.pid)"))
        #expect(Set(try queue.workerExits().map(\.pid)).count >= 2)
    }

    @Test func anIdleSupervisorUsesNoCPU() throws {
        let queue = try TestRedis.queue()
        let supervisor = try JobqProcess(["supervise", queue.name.rawValue, "--max-load", "100", "--max-cpu-pressure", "100", "--min-available", "1M", "--"] + exampleWorkerCommand(queue))
        defer { _ = supervisor.child.terminate(grace: .seconds(5)) }
        #expect(eventually(timeout: .seconds(5)) { (try? queue.supervisorStatus().state) == .sleeping })
        usleep(300_000)
        let before = try #require(cpuNanoseconds(of: supervisor.pid))
        usleep(5_000_000)
        let after = try #require(cpuNanoseconds(of: supervisor.pid))
        // The goal is at most 0.2 % of one core: 10 ms of CPU in 5 s.
        #expect(after - before <= 10_000_000, "\(Double(after - before) / 1e6) ms of CPU in 5 s idle")
        #expect(try queue.workerExits().isEmpty)
        supervisor.child.signal(SIGTERM)
        #expect(supervisor.finish(timeout: .seconds(5)).isSuccess)
    }
}
