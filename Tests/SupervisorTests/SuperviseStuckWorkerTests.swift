import Foundation
import Glibc
import JobQueue
import JobqTestSupport
@testable import Supervisor
import Testing

/// A supervisor answers SIGTERM within `--stop-timeout` whatever its worker is doing, here a
/// worker stuck in uninterruptible sleep at a memory cap with the kernel's OOM killer off, on real
/// cgroup v1, and leaves no process and no cgroup behind.
@Suite(.serialized, .disabled(if: realCgroupV1SkipReason != nil, Comment(rawValue: realCgroupV1SkipReason ?? "")))
struct SuperviseStuckWorkerTests {
    @Test func sigtermIsAnsweredWithinTheStopTimeoutWhileTheWorkerIsStuckAtItsCapWithTheOOMKillerOff() throws {
        let queue = try TestRedis.queue()
        let name = queue.name.rawValue
        try enqueueExampleJobs(queue, count: 1)
        // What `--memory 10` once made of the worker's cgroup (a cap of nothing, the OOM killer
        // off), here on the queue's parent cgroup, which the supervisor reuses: every worker
        // stalls in a page fault as it starts, in state D, until it is killed.
        let starved = try StarvedParentCgroup(queue: name, memoryLimit: 1 << 20)
        defer { starved.remove() }
        let supervise = try JobqProcess([
            "supervise", name, "--stop-timeout", "3s", "--tick", "30s",
            "--max-load", "100", "--max-cpu-pressure", "100", "--min-available", "1M", "--",
            "/usr/bin/python3", "-c", "b = b'x' * (64 << 20)",
        ])
        defer { _ = supervise.child.terminate(grace: .seconds(5)) }
        #expect(eventually(timeout: .seconds(10)) { !starved.stalledProcesses().isEmpty }, "\(supervise.standardError)")

        let start = ContinuousClock.now
        #expect(supervise.child.signal(SIGTERM))
        let exit = supervise.finish(timeout: .seconds(20))
        let elapsed = ContinuousClock.now - start
        print("SuperviseStuckWorkerTests: SIGTERM to exit took \(elapsed)")
        #expect(exit.isSuccess, "\(exit): \(supervise.standardError)")
        #expect(elapsed < .seconds(4), "within --stop-timeout 3s and a second: \(elapsed)")
        #expect(starved.processIDs().isEmpty, "nothing left running")
        #expect(workerCgroupNames(of: queue).isEmpty, "no worker cgroup left")
        #expect(leftoverCgroupDirectories(of: queue).isEmpty, "no parent cgroup left: \(leftoverCgroupDirectories(of: queue))")
    }
}

/// The queue's parent cgroup in the memory hierarchy, made before its supervisor starts, with a
/// tiny memory cap and the kernel's OOM killer off (inherited by the worker cgroups made in it).
private struct StarvedParentCgroup {
    let path: String

    init(queue: String, memoryLimit: UInt64) throws {
        let system = try CgroupSystem.detect()
        let memory = try #require(system.usableControllers[.memory])
        path = memory.baseDirectory + "/jobq-" + queue
        try #require(mkdir(path, 0o755) == 0)
        try "1".write(toFile: path + "/memory.oom_control", atomically: false, encoding: .utf8)
        try String(memoryLimit).write(toFile: path + "/memory.limit_in_bytes", atomically: false, encoding: .utf8)
    }

    /// The processes in it and in its worker cgroups.
    func processIDs() -> [pid_t] {
        let children = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).map { path + "/" + $0 }
        return ([path] + children).flatMap { directory in
            ((try? String(contentsOfFile: directory + "/cgroup.procs", encoding: .utf8)) ?? "").split(separator: "\n").compactMap { pid_t($0) }
        }
    }

    /// Its processes in uninterruptible sleep (state D).
    func stalledProcesses() -> [pid_t] {
        processIDs().filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            return stat[stat.index(close, offsetBy: 2)] == "D"
        }
    }

    /// Kills what is left and removes it with its worker cgroups (normally the supervisor did).
    func remove() {
        for _ in 0..<50 where !processIDs().isEmpty {
            for pid in processIDs() { kill(pid, SIGKILL) }
            usleep(20_000)
        }
        for child in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
            rmdir(path + "/" + child)
        }
        rmdir(path)
    }
}
