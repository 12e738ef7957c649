import Foundation
import Glibc
import JobQueue
import JobqTestSupport
import Processes
import RedisClient
@testable import Supervisor
import Testing

/// Each worker runs inside its own capped cgroup (real cgroup v1 here), or with rlimits when
/// cgroups are refused; nothing is left behind.
@Suite(.serialized)
struct SuperviseCapsTests {
    @Test(.disabled(if: realCgroupV1SkipReason != nil, Comment(rawValue: realCgroupV1SkipReason ?? "")))
    func aWorkerOverItsMemoryCapIsOOMKilledAndItsJobIsBlamedForIt() throws {
        let queue = try TestRedis.queue()
        let jobID = try enqueueExampleJobs(queue, count: 1)[0]
        var configuration = fastSupervisorConfiguration()
        configuration.limits = CgroupLimits(memoryMax: 64 << 20, swapMax: 0, pidsMax: 64)
        configuration.backoff = Backoff(base: .seconds(5), cap: .seconds(5))
        // The worker takes its job, works a moment, then allocates 200 MB under a 64 MB cap.
        let command = ["/usr/bin/python3", "-c", "import time; time.sleep(1.5); b = b'x' * (200 << 20); time.sleep(5)"]
        let running = SupervisorThread(Supervisor(queue: queue, command: command, configuration: configuration, logger: supervisorTestLogger))
        defer { running.stop() }

        var workerID: String?
        #expect(eventually(timeout: .seconds(5)) {
            workerID = try? queue.supervisorStatus().workerID
            return workerID != nil
        })
        // The worker's job lease, taken under the consumer id the supervisor gave the worker.
        let id: String = try #require(workerID)
        let consumer = try Consumer(queue: queue, id: id)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(2)) else {
            Issue.record("the job was not reserved")
            return
        }
        #expect(job.id == jobID)

        #expect(eventually(timeout: .seconds(10)) { ((try? queue.workerExits()) ?? []).count == 1 })
        let exit = try #require(try queue.workerExits().first)
        #expect(exit.oom)
        #expect(exit.crash)
        #expect(exit.cause == "OOM")
        #expect(exit.signal == "SIGKILL")
        #expect(exit.workerID == workerID)
        #expect(exit.jobs == [.init(id: jobID, outcome: "requeued")])
        #expect(exit.peakMemoryBytes.map { $0 <= 64 << 20 && $0 > 32 << 20 } == true, "\(String(describing: exit.peakMemoryBytes))")
        let record = try #require(try queue.job(id: jobID))
        #expect(record.crashes == 1)
        #expect(record.lastCrash == "OOM")
        #expect(record.state == .waiting)
        // The exit is recorded first, the supervisor's state (backoff, 5 s) a moment later.
        #expect(eventually(timeout: .seconds(2)) { (try? queue.supervisorStatus().state) == .backoff })
        #expect(running.stop() != nil)
        #expect(leftoverCgroupDirectories(of: queue).isEmpty)
    }

    @Test(.disabled(if: realCgroupV1SkipReason != nil, Comment(rawValue: realCgroupV1SkipReason ?? "")))
    func aCPUBoundWorkerGetsNoMoreThanItsCPUShare() throws {
        let queue = try TestRedis.queue()
        try enqueueExampleJobs(queue, count: 1)
        var configuration = fastSupervisorConfiguration()
        configuration.limits = CgroupLimits(cpuQuota: 0.25, memoryMax: 128 << 20, pidsMax: 64)
        let spin = "import time\nend = time.time() + 2\nwhile time.time() < end: pass\n"
        let running = SupervisorThread(Supervisor(
            queue: queue, command: ["/usr/bin/python3", "-c", spin], configuration: configuration, logger: supervisorTestLogger
        ))
        defer { running.stop() }

        #expect(eventually(timeout: .seconds(10)) { ((try? queue.workerExits()) ?? []).count >= 1 })
        running.stop()
        let exit = try #require(try queue.workerExits().last)
        #expect(exit.exitStatus == 0 && !exit.crash)
        #expect(exit.runTimeMilliseconds >= 1900)
        let share = Double(exit.cpuTimeMilliseconds) / Double(exit.runTimeMilliseconds)
        #expect(share <= 0.3, "CPU time \(exit.cpuTimeMilliseconds) ms in \(exit.runTimeMilliseconds) ms")
        #expect(share >= 0.05, "the worker did run: \(exit.cpuTimeMilliseconds) ms")
        #expect(leftoverCgroupDirectories(of: queue).isEmpty)
    }

    @Test(.disabled(if: realCgroupV1SkipReason != nil, Comment(rawValue: realCgroupV1SkipReason ?? "")))
    func workerCgroupsLeftByAKilledSupervisorAreKilledAndRemovedByItsSuccessor() throws {
        let queue = try TestRedis.queue()
        let limits = CgroupLimits(memoryMax: 64 << 20, pidsMax: 16)
        let parent = try CgroupSystem.detect().makeWorkerParent(named: "jobq-\(queue.name.rawValue)", for: limits)
        let orphan = try parent.createWorker(named: "worker-orphan", limits: limits)
        let stray = try ChildProcess.launch(LaunchOptions(executable: "/bin/sleep", arguments: ["30"], cgroupProcsPaths: orphan.procsPaths))
        defer {
            _ = stray.terminate(grace: .zero)
            try? orphan.killAll()
            try? orphan.remove()
            try? parent.remove()
        }
        #expect(workerCgroupNames(of: queue) == ["worker-orphan"])

        let running = SupervisorThread(Supervisor(
            queue: queue, command: exampleWorkerCommand(queue), configuration: fastSupervisorConfiguration(), logger: supervisorTestLogger
        ))
        defer { running.stop() }
        let exit = try #require(stray.wait(timeout: .seconds(5)), "the stray process was killed")
        #expect(exit.termination == .signaled(signal: SIGKILL, coreDumped: false))
        #expect(eventually(timeout: .seconds(5)) { workerCgroupNames(of: queue).isEmpty })
        #expect(running.stop() != nil)
        #expect(leftoverCgroupDirectories(of: queue).isEmpty)
    }

    @Test func withoutCgroupsTheSupervisorRefusesToRunUncappedWorkers() throws {
        let queue = try TestRedis.queue()
        let emptyRoot = NSTemporaryDirectory() + "/jobq-no-cgroup-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: emptyRoot, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: emptyRoot) }
        var configuration = fastSupervisorConfiguration()
        configuration.useCgroups = true
        configuration.cgroupRoot = emptyRoot
        let supervisor = Supervisor(queue: queue, command: ["/bin/true"], configuration: configuration, logger: supervisorTestLogger)
        #expect {
            try supervisor.run()
        } throws: { error in
            guard let error = error as? SupervisorError else { return false }
            return error.code == .noCgroup && error.message.contains("--no-cgroup") && error.cause is CgroupError
        }
        #expect(Supervisor.ExitReason.noCgroupExitStatus == 4)
    }

    @Test func withNoCgroupTheWorkerRunsUnderAnAddressSpaceLimitAndNoCgroupIsCreated() throws {
        let queue = try TestRedis.queue()
        try enqueueExampleJobs(queue, count: 1)
        let output = NSTemporaryDirectory() + "/jobq-limits-\(UUID().uuidString)"
        defer { unlink(output) }
        var configuration = fastSupervisorConfiguration()
        configuration.useCgroups = false
        configuration.limits = CgroupLimits(cpuQuota: 0.25, memoryMax: 512 << 20, pidsMax: 64)
        let command = ["/bin/sh", "-c", "grep 'Max address space' /proc/self/limits > \(output)"]
        let running = SupervisorThread(Supervisor(queue: queue, command: command, configuration: configuration, logger: supervisorTestLogger))
        defer { running.stop() }

        #expect(eventually(timeout: .seconds(5)) { ((try? queue.workerExits()) ?? []).count >= 1 })
        running.stop()
        let limits = try String(contentsOfFile: output, encoding: .utf8)
        #expect(limits.split(separator: " ", omittingEmptySubsequences: true).filter { $0 == String(512 << 20) }.count == 2, "\(limits)")
        #expect(try queue.workerExits().last?.oom == false)
        #expect(leftoverCgroupDirectories(of: queue).isEmpty)
    }
}
