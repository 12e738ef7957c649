import Foundation
import Glibc
import Processes
@testable import Supervisor
import Testing

/// Real cgroup v1 enforcement on this host: real cgroups, real processes, real kernel limits.
@Suite(
    .serialized,
    .disabled(if: realCgroupV1SkipReason != nil, Comment(rawValue: realCgroupV1SkipReason ?? ""))
)
struct CgroupV1EnforcementTests {
    /// A uniquely named parent and one worker cgroup under it, torn down by `tearDown()`.
    struct Fixture {
        let parent: WorkerCgroupParent
        let worker: WorkerCgroup

        init(limits: CgroupLimits) throws {
            let system = try CgroupSystem.detect()
            parent = try system.makeWorkerParent(named: "jobq-test-\(UUID().uuidString)", for: limits)
            worker = try parent.createWorker(named: "worker-1", limits: limits)
        }

        func launch(_ script: String, captureOutput: Bool = true) throws -> ChildProcess {
            try ChildProcess.launch(LaunchOptions(
                executable: "/bin/sh",
                arguments: ["-c", script],
                standardOutput: captureOutput ? .captureTail(maxBytes: 16 * 1024) : .discard,
                standardError: .captureTail(maxBytes: 16 * 1024),
                cgroupProcsPaths: worker.procsPaths
            ))
        }

        func tearDown() {
            try? worker.killAll(timeout: .seconds(5))
            try? worker.remove()
            try? parent.remove()
        }
    }

    @Test func thisHostIsDetectedWithWritableV1CpuMemoryAndPidsControllers() throws {
        let system = try CgroupSystem.detect()
        let hasUnifiedMount = FileManager.default.fileExists(atPath: "/sys/fs/cgroup/unified/cgroup.controllers")
        #expect(system.layout == (hasUnifiedMount ? .hybrid : .legacy))
        for controller in [CgroupController.cpu, .memory, .pids] {
            #expect(system.usableControllers[controller]?.version == .v1)
        }
        let ownMemoryPath = try String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)
            .split(separator: "\n").first { $0.split(separator: ":")[1] == "memory" }
            .map { String($0.split(separator: ":", maxSplits: 2)[2]) }
        let expected = "/sys/fs/cgroup/memory" + (ownMemoryPath == "/" ? "" : ownMemoryPath ?? "?")
        #expect(system.usableControllers[.memory]?.ownDirectory == expected)
    }

    @Test func theChildIsInsideItsCgroupsBeforeItRunsItsOwnCode() throws {
        let fixture = try Fixture(limits: CgroupLimits(cpuQuota: 0.5, memoryMax: 256 << 20, pidsMax: 64))
        defer { fixture.tearDown() }
        let child = try ChildProcess.launch(LaunchOptions(
            executable: "/bin/cat", arguments: ["/proc/self/cgroup"],
            standardOutput: .captureTail(maxBytes: 16 * 1024), cgroupProcsPaths: fixture.worker.procsPaths
        ))
        #expect(child.wait().isSuccess)
        let lines = String(decoding: child.standardOutputTail, as: UTF8.self).split(separator: "\n")
        let suffix = "/\(fixture.parent.name)/worker-1"
        for controller in ["cpu", "cpuacct", "memory", "pids"] {
            let line = lines.first { $0.split(separator: ":")[1].split(separator: ",").contains(Substring(controller)) }
            #expect(line?.hasSuffix(suffix) == true, "\(controller): \(line ?? "missing")")
        }
    }

    @Test func memoryCapOOMKillsWorkerAndIsReported() throws {
        let fixture = try Fixture(limits: CgroupLimits(memoryMax: 64 << 20, swapMax: 0))
        defer { fixture.tearDown() }
        #expect(fixture.worker.warnings.isEmpty, "\(fixture.worker.warnings)")
        let child = try ChildProcess.launch(LaunchOptions(
            executable: "/usr/bin/python3", arguments: ["-c", "b = b'x' * (300 << 20)"],
            standardError: .captureTail(maxBytes: 4096), cgroupProcsPaths: fixture.worker.procsPaths
        ))
        let exit = try #require(child.wait(timeout: .seconds(15)))
        #expect(exit.termination == .signaled(signal: SIGKILL, coreDumped: false))
        let stats = fixture.worker.stats()
        #expect((stats.oomKills ?? 0) >= 1)
        #expect((stats.memoryPeak ?? .max) <= 64 << 20)
        #expect((stats.memoryPeak ?? 0) > 32 << 20)
    }

    @Test func cpuCapHoldsABusyLoopToAQuarterOfOneCPU() throws {
        let fixture = try Fixture(limits: CgroupLimits(cpuQuota: 0.25))
        defer { fixture.tearDown() }
        let child = try fixture.launch("while :; do :; done")
        #expect(child.wait(timeout: .seconds(2)) == nil)
        let exit = child.terminate(grace: .seconds(1))
        #expect(exit.termination == .signaled(signal: SIGTERM, coreDumped: false))

        let share = exit.cpuTime / exit.runTime
        #expect(share <= 0.30, "used \(exit.cpuTime) of CPU in \(exit.runTime)")
        #expect(share >= 0.05, "the loop barely ran: \(exit.cpuTime) in \(exit.runTime)")
        let stats = fixture.worker.stats()
        #expect((stats.throttledPeriods ?? 0) > 0)
        let cgroupShare = (stats.cpuUsage ?? .zero) / exit.runTime
        #expect(cgroupShare <= 0.30 && cgroupShare >= 0.05, "cgroup counted \(stats.cpuUsage.map(String.init(describing:)) ?? "nothing")")
    }

    @Test func pidsCapMakesForksBeyondItFail() throws {
        let fixture = try Fixture(limits: CgroupLimits(pidsMax: 5))
        defer { fixture.tearDown() }
        let child = try fixture.launch("i=0; while [ $i -lt 20 ]; do sleep 10 & i=$((i+1)); done; wait")
        let exit = try #require(child.wait(timeout: .seconds(8)))
        #expect(!exit.isSuccess)
        #expect(String(decoding: child.standardErrorTail, as: UTF8.self).contains("fork"))
        // The shell took one of the five; the sleeps it managed to start are still running.
        let stats = fixture.worker.stats()
        #expect((1...4).contains(stats.processCount))
    }

    @Test func killAllAndRemoveLeaveNoCgroupBehind() throws {
        let fixture = try Fixture(limits: CgroupLimits(memoryMax: 128 << 20, pidsMax: 32))
        // One sleep leaves the worker's process group (setsid), out of reach of a group kill.
        let child = try fixture.launch("sleep 30 & setsid sleep 30 & sleep 30; wait", captureOutput: false)
        #expect(eventually { fixture.worker.processIDs().count == 4 })

        try fixture.worker.killAll(timeout: .seconds(5))
        #expect(fixture.worker.processIDs().isEmpty)
        #expect(child.wait(timeout: .seconds(5))?.termination == .signaled(signal: SIGKILL, coreDumped: false))
        try fixture.worker.remove()
        try fixture.parent.remove()
        for directory in fixture.worker.directories + fixture.parent.directories {
            #expect(!FileManager.default.fileExists(atPath: directory.path), "\(directory.path) left behind")
        }
    }

    @Test func removeRefusesWhileProcessesRemainAndSaysWhich() throws {
        let fixture = try Fixture(limits: CgroupLimits(pidsMax: 8))
        defer { fixture.tearDown() }
        let child = try fixture.launch("exec sleep 30", captureOutput: false)
        #expect(eventually { !fixture.worker.processIDs().isEmpty })

        let error = try #require(throws: CgroupError.self) { try fixture.worker.remove() }
        #expect(error.code == .notEmpty)
        #expect(error.message.contains(String(child.pid)))
        #expect(fixture.worker.waitUntilEmpty(timeout: .milliseconds(100)) == false)

        _ = child.terminate(grace: .seconds(1))
        #expect(fixture.worker.waitUntilEmpty(timeout: .seconds(2)))
        try fixture.worker.remove()
    }
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes.
private func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}
