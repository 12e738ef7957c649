import Foundation
import Glibc
import Processes
@testable import Supervisor

/// A scratch directory for cgroup tests, removed (immutable flags cleared first) by `remove()`.
struct CgroupScratchDirectory {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/jobq-cgroup-test-XXXXXX").utf8CString)
        guard let created = mkdtemp(&template) else {
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        path = String(cString: created)
    }

    func remove() {
        _ = runCgroupTestCommand("/usr/bin/chattr", ["-R", "-i", path])
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Runs a command to completion with its output discarded, returning whether it exited 0.
@discardableResult
func runCgroupTestCommand(_ executable: String, _ arguments: [String]) -> Bool {
    let options = LaunchOptions(executable: executable, arguments: arguments, standardOutput: .discard, standardError: .discard)
    guard let child = try? ChildProcess.launch(options) else { return false }
    return child.wait().isSuccess
}

/// A cgroupfs lookalike: plain files laid out as the kernel shows them, plus the
/// `/proc/self/cgroup` and `/proc/self/mountinfo` that describe it.
struct FakeCgroupTree {
    let scratch: CgroupScratchDirectory
    /// Where the fake cgroup filesystems are "mounted".
    var root: String { scratch.path + "/cgroup" }
    var procSelfCgroup: String { scratch.path + "/proc-self-cgroup" }
    var mountinfo: String { scratch.path + "/mountinfo" }

    /// The files a v2 kernel shows in a cgroup with the cpu, memory and pids controllers enabled.
    static let v2CgroupFiles: [String: String] = [
        "cgroup.controllers": "cpu memory pids\n",
        "cgroup.subtree_control": "",
        "cgroup.procs": "",
        "cgroup.events": "populated 0\nfrozen 0\n",
        "cgroup.kill": "",
        "cpu.max": "max 100000\n",
        "cpu.stat": "usage_usec 0\nuser_usec 0\nsystem_usec 0\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n",
        "memory.max": "max\n",
        "memory.swap.max": "max\n",
        "memory.oom.group": "0\n",
        "memory.events": "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n",
        "memory.peak": "0\n",
        "pids.max": "max\n",
    ]

    init() throws {
        scratch = try CgroupScratchDirectory()
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    /// A pure v2 host: cgroup2 at the root, this process in `ownPath`.
    static func unified(ownPath: String = "/system.slice/jobq.service") throws -> FakeCgroupTree {
        let tree = try FakeCgroupTree()
        try tree.write("30 23 0:26 / \(tree.root) rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n", to: tree.mountinfo)
        try tree.write("0::\(ownPath)\n", to: tree.procSelfCgroup)
        try tree.makeCgroup("", files: ["cgroup.controllers": "cpuset cpu io memory hugetlb pids rdma misc\n", "cgroup.subtree_control": "cpu io memory pids\n", "cgroup.procs": "1\n"])
        return tree
    }

    /// Creates a cgroup directory (relative to ``root``) holding `files`.
    func makeCgroup(_ relativePath: String, files: [String: String] = v2CgroupFiles) throws {
        let directory = path(relativePath)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, content) in files {
            try write(content, to: directory + "/" + name)
        }
    }

    func path(_ relativePath: String) -> String {
        relativePath.isEmpty ? root : root + "/" + relativePath
    }

    func write(_ content: String, to path: String) throws {
        try content.write(toFile: path, atomically: false, encoding: .utf8)
    }

    func read(_ relativePath: String) throws -> String {
        try String(contentsOfFile: path(relativePath), encoding: .utf8)
    }

    func detect() throws -> CgroupSystem {
        try CgroupSystem.detect(root: root, procSelfCgroup: procSelfCgroup, mountinfo: mountinfo)
    }

    func remove() { scratch.remove() }
}

/// Why the real cgroup v1 tests cannot run here, or `nil` when they can.
let realCgroupV1SkipReason: String? = {
    guard getuid() == 0 else { return "needs root to create cgroups" }
    guard access("/sys/fs/cgroup/memory", W_OK) == 0 else { return "/sys/fs/cgroup/memory is not a writable cgroup v1 hierarchy" }
    guard let system = try? CgroupSystem.detect(), system.usableControllers[.memory]?.version == .v1 else {
        return "the memory controller is not usable through cgroup v1 here"
    }
    return nil
}()
