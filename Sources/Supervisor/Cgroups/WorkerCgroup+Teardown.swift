import Glibc

extension WorkerCgroup {
    /// How often emptiness is re-checked while waiting; cgroup v1 offers nothing to block on.
    static let emptinessPollInterval: Duration = .milliseconds(10)

    /// The processes in the cgroup now, across all its hierarchies.
    public func processIDs() -> [pid_t] {
        var seen = Set<pid_t>()
        return directories.flatMap { CgroupFile.processIDs(in: $0.path) }.filter { seen.insert($0).inserted }
    }

    /// Kills every process in the cgroup, including ones that left the worker's process group or
    /// were forked meanwhile, and waits until none is left. Uses v2 `cgroup.kill` (kernel 5.14+)
    /// when present; otherwise sends `SIGKILL` to every pid in `cgroup.procs`, again and again
    /// until the list stays empty.
    ///
    /// - Parameter timeout: how long the processes may take to disappear.
    /// - Throws: ``CgroupError/Code/timedOut`` listing the survivors,
    ///   ``CgroupError/Code/writeFailed`` if `cgroup.kill` cannot be written.
    public func killAll(timeout: Duration = .seconds(5)) throws(CgroupError) {
        for directory in directories where directory.version == .v2 && CgroupFile.exists(directory.file("cgroup.kill")) {
            try CgroupFile.write("1", to: directory.file("cgroup.kill"))
        }
        let deadline = ContinuousClock.now + timeout
        while true {
            let survivors = processIDs()
            if survivors.isEmpty { return }
            guard ContinuousClock.now < deadline else {
                throw CgroupError(
                    code: .timedOut,
                    message: "processes \(survivors.map(String.init).joined(separator: ", ")) are still in cgroup "
                        + "\(directories.first?.path ?? name) after \(timeout) of SIGKILL"
                )
            }
            for pid in survivors {
                kill(pid, SIGKILL)
            }
            sleep(for: Self.emptinessPollInterval)
        }
    }

    /// Waits until no process is left in the cgroup, re-checking every 10 ms.
    ///
    /// - Parameter timeout: the longest time to wait.
    /// - Returns: `true` if the cgroup is empty, `false` if processes remain after `timeout`.
    public func waitUntilEmpty(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !processIDs().isEmpty {
            guard ContinuousClock.now < deadline else { return false }
            sleep(for: Self.emptinessPollInterval)
        }
        return true
    }

    /// Removes the cgroup's directory in every hierarchy. Only an empty cgroup can be removed.
    ///
    /// - Throws: ``CgroupError/Code/notEmpty`` naming the processes still inside (call
    ///   ``killAll(timeout:)`` first), ``CgroupError/Code/removeFailed`` for other failures.
    public func remove() throws(CgroupError) {
        try removeCgroupDirectories(directories, what: "worker cgroup")
    }

    private func sleep(for duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var remaining = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var request = remaining
        while nanosleep(&request, &remaining) < 0 && errno == EINTR {
            request = remaining
        }
    }
}
