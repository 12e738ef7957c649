import Foundation
import HumanUnits
import JobQueue
import Logging
import Processes

/// Where the workers of one queue run: a capped cgroup per launch under the queue's parent cgroup
/// (`jobq-<queue>`), or, without cgroups, plain rlimits.
///
/// Supervisors of the same queue on one host share the parent: each creates it again before a
/// launch (that is idempotent) and removes it while it still holds the supervisor lock.
struct WorkerSandbox: Sendable {
    /// The cgroup hierarchies; `nil` without cgroups.
    let system: CgroupSystem?
    /// The parent of the worker cgroups; `nil` without cgroups.
    let parent: WorkerCgroupParent?
    /// The caps each worker cgroup gets.
    let limits: CgroupLimits
    /// The rlimits each worker gets (only without cgroups).
    let resourceLimits: ResourceLimits

    /// Finds the cgroup hierarchies, on v2 moves the supervisor into its leaf and enables the
    /// controllers, and creates the queue's parent cgroup. Without cgroups, warns loudly.
    ///
    /// - Throws: ``SupervisorError/Code/noCgroup`` with the cgroup error's message and remedy.
    static func prepare(queue: QueueName, configuration: Supervisor.Configuration, logger: Logger) throws(SupervisorError) -> WorkerSandbox {
        let limits = configuration.limits
        do {
            try limits.validate()
        } catch {
            throw SupervisorError(code: .invalidConfiguration, message: error.message, cause: error)
        }
        guard configuration.useCgroups else {
            let resourceLimits = ResourceLimits(addressSpace: limits.memoryMax, processCount: limits.pidsMax)
            logger.warning("""
                WORKERS RUN WITHOUT CGROUP CAPS (--no-cgroup): no CPU cap, no OOM detection; memory is capped only as \
                address space (RLIMIT_AS=\(limits.memoryMax.map(ByteSizeText.format) ?? "unlimited"), which many runtimes \
                exceed by reserving), and the process cap (RLIMIT_NPROC=\(limits.pidsMax.map(String.init) ?? "unlimited")) \
                counts every process of the user and does not apply to root
                """)
            return WorkerSandbox(system: nil, parent: nil, limits: limits, resourceLimits: resourceLimits)
        }
        do {
            var system = try CgroupSystem.detect(root: configuration.cgroupRoot)
            try system.prepareDelegatedParent()
            let parent = try system.makeWorkerParent(named: "jobq-\(queue.rawValue)", for: limits)
            logger.info("workers run in cgroups under \(parent.directories.map(\.path).joined(separator: ", "))")
            return WorkerSandbox(system: system, parent: parent, limits: limits, resourceLimits: ResourceLimits())
        } catch {
            throw SupervisorError(code: .noCgroup, message: "refusing to run uncapped workers: \(error.description)", cause: error)
        }
    }

    /// Creates the capped cgroup of one launch (and the parent again, should it be gone); `nil`
    /// without cgroups. The kernel's OOM killer is left on in it until the worker runs and is
    /// watched (``holdBackKernelOOMKiller(in:)``).
    func makeWorkerCgroup(named name: String) throws(CgroupError) -> WorkerCgroup? {
        guard let system, let parent else { return nil }
        return try system.makeWorkerParent(named: parent.name, for: limits).createWorker(named: name, limits: limits)
    }

    /// With a memory cap on cgroup v1, holds the kernel's OOM killer back in a worker's cgroup, so
    /// that a process at the cap waits until the supervisor kills the whole worker (see
    /// ``WorkerCgroup/holdBackKernelOOMKiller()``).
    ///
    /// Call it only once the worker runs and the loop watches it on every tick: a process that
    /// stalls at the cap before that would wait with nobody to act on it. Until then the kernel
    /// kills a process that reaches the cap, and the supervisor counts that as an OOM.
    ///
    /// - Returns: a warning when the killer cannot be held back (the supervisor then falls back to
    ///   watching the OOM kill count); `nil` when it is, or there is nothing to hold back.
    func holdBackKernelOOMKiller(in cgroup: WorkerCgroup) -> String? {
        guard limits.memoryMax != nil else { return nil }
        do {
            try cgroup.holdBackKernelOOMKiller()
            return nil
        } catch {
            // Worded without the cgroup's path, so that it is logged once, not at every launch.
            let why = error.errno.map(describeErrno) ?? error.message
            return "cannot hold back the kernel's OOM killer in worker cgroups (memory.oom_control: \(why)): "
                + "an out-of-memory kill takes one process of the worker, and the supervisor kills the rest within a tick"
        }
    }

    /// Kills and removes worker cgroups a previous supervisor of this queue on this host left
    /// behind (it was killed before it could clean up). Call only while holding the supervisor lock.
    func removeLeftovers(logger: Logger) {
        guard let parent else { return }
        var names = Set<String>()
        for directory in parent.directories {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            for entry in entries where !entry.hasPrefix("cgroup.") {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: directory.path + "/" + entry, isDirectory: &isDirectory), isDirectory.boolValue {
                    names.insert(entry)
                }
            }
        }
        for name in names.sorted() {
            let leftover = WorkerCgroup(
                name: name,
                directories: parent.directories.map { CgroupDirectory(version: $0.version, path: $0.path + "/" + name, controllers: $0.controllers) },
                warnings: []
            )
            logger.warning("removing worker cgroup \(name) left behind by an earlier supervisor, and the \(leftover.processIDs().count) processes still in it")
            Self.tearDown(leftover, logger: logger)
        }
    }

    /// Kills whatever is left in a worker cgroup and removes it; failures are logged.
    static func tearDown(_ cgroup: WorkerCgroup, logger: Logger) {
        do {
            try cgroup.killAll(timeout: .seconds(5))
        } catch {
            logger.error("cannot empty worker cgroup \(cgroup.name): \(error.description)")
        }
        let deadline = ContinuousClock.now + .seconds(2)
        while true {
            do {
                try cgroup.remove()
                return
            } catch {
                guard error.code == .notEmpty, ContinuousClock.now < deadline else {
                    logger.error("cannot remove worker cgroup \(cgroup.name): \(error.description)")
                    return
                }
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
    }

    /// Removes the queue's parent cgroup unless a worker cgroup is left in it. Called while holding
    /// the supervisor lock (no other supervisor of the queue launches then), and once more at exit.
    func removeParent(logger: Logger) {
        guard let parent else { return }
        do {
            try parent.remove()
        } catch where error.code == .notEmpty {
            logger.debug("worker parent cgroup \(parent.name) is still in use: \(error.description)")
        } catch {
            logger.warning("cannot remove worker parent cgroup \(parent.name): \(error.description)")
        }
    }
}
