import Foundation
@testable import Supervisor
import Testing

/// How the supervisor tells that a worker run ran out of memory, against plain files laid out as
/// the kernel shows them (v1 `memory.oom_control`, v2 `memory.events`).
@Suite struct SuperviseOutOfMemoryWatchTests {
    /// A worker cgroup whose only directory is a scratch directory holding `files`.
    static func fakeWorkerCgroup(_ version: CgroupVersion, in scratch: CgroupScratchDirectory, files: [String: String]) throws -> WorkerCgroup {
        let path = scratch.path + "/worker-1"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, content) in files {
            try content.write(toFile: path + "/" + name, atomically: false, encoding: .utf8)
        }
        return WorkerCgroup(name: "worker-1", directories: [CgroupDirectory(version: version, path: path, controllers: [.memory])], warnings: [])
    }

    static func v1OOMControl(disabled: Bool, underOOM: Bool, kills: Int) -> String {
        "oom_kill_disable \(disabled ? 1 : 0)\nunder_oom \(underOOM ? 1 : 0)\noom_kill \(kills)\n"
    }

    static func v2Events(kills: Int) -> String {
        "low 0\nhigh 0\nmax 9\noom \(kills)\noom_kill \(kills)\noom_group_kill 0\n"
    }

    @Test func onlyOOMKillsAfterTheLaunchAreAnOOMOfTheRun() throws {
        let scratch = try CgroupScratchDirectory()
        defer { scratch.remove() }
        let cgroup = try Self.fakeWorkerCgroup(.v2, in: scratch, files: ["memory.events": Self.v2Events(kills: 3)])

        let watch = OutOfMemoryWatch(cgroup: cgroup)
        #expect(watch.killsAtLaunch == 3)
        #expect(watch.check() == nil, "kills counted before the launch are not this run's")

        try Self.v2Events(kills: 4).write(toFile: scratch.path + "/worker-1/memory.events", atomically: false, encoding: .utf8)
        #expect(watch.check() == "the kernel's OOM killer killed 1 process in its cgroup")
    }

    @Test func onCgroupV1ProcessesWaitingForMemoryAreAnOOMOfTheRun() throws {
        let scratch = try CgroupScratchDirectory()
        defer { scratch.remove() }
        let cgroup = try Self.fakeWorkerCgroup(
            .v1, in: scratch, files: ["memory.oom_control": Self.v1OOMControl(disabled: true, underOOM: false, kills: 0)]
        )
        let watch = OutOfMemoryWatch(cgroup: cgroup)
        #expect(watch.check() == nil)

        try Self.v1OOMControl(disabled: true, underOOM: true, kills: 0)
            .write(toFile: scratch.path + "/worker-1/memory.oom_control", atomically: false, encoding: .utf8)
        #expect(cgroup.oomStatus() == CgroupOOMStatus(kills: 0, waitingForMemory: true))
        #expect(watch.check() == "its processes are waiting for memory at the cap")
    }

    @Test func theKernelsOOMKillerIsHeldBackOnlyOnCgroupV1() throws {
        let scratch = try CgroupScratchDirectory()
        defer { scratch.remove() }
        let control = Self.v1OOMControl(disabled: false, underOOM: false, kills: 0)
        let v1 = try Self.fakeWorkerCgroup(.v1, in: scratch, files: ["memory.oom_control": control])
        #expect(try v1.holdBackKernelOOMKiller())
        #expect(try String(contentsOfFile: scratch.path + "/worker-1/memory.oom_control", encoding: .utf8) == "1")

        let v2Scratch = try CgroupScratchDirectory()
        defer { v2Scratch.remove() }
        let v2 = try Self.fakeWorkerCgroup(.v2, in: v2Scratch, files: ["memory.events": Self.v2Events(kills: 0)])
        #expect(try v2.holdBackKernelOOMKiller() == false)
        #expect(!FileManager.default.fileExists(atPath: v2Scratch.path + "/worker-1/memory.oom_control"))
    }
}
