/// How a worker cgroup stands with the out-of-memory (OOM) killer, read while the worker runs.
public struct CgroupOOMStatus: Sendable, Hashable {
    /// Processes the kernel's OOM killer has killed in the cgroup since it was created: v2
    /// `memory.events` `oom_kill`, v1 `memory.oom_control` `oom_kill` (kernel 4.13+); `nil` when
    /// the kernel does not report it.
    public var kills: UInt64?
    /// cgroup v1 with the kernel's OOM killer held back (``WorkerCgroup/holdBackKernelOOMKiller()``):
    /// processes of the cgroup are waiting for memory that only a kill can free
    /// (`memory.oom_control` `under_oom 1`).
    public var waitingForMemory: Bool

    /// Creates a status; by default no kill is known and nothing waits.
    public init(kills: UInt64? = nil, waitingForMemory: Bool = false) {
        self.kills = kills
        self.waitingForMemory = waitingForMemory
    }
}

extension WorkerCgroup {
    /// On cgroup v1, stops the kernel from OOM-killing processes of this cgroup
    /// (`memory.oom_control` = 1): a process that hits the memory cap in a page fault waits instead,
    /// and ``oomStatus()`` reports it, so that the caller can kill the whole worker at once.
    ///
    /// cgroup v1 has no `memory.oom.group`: its OOM killer takes the biggest process only, often a
    /// child of the worker, and the worker lives on to report the child's death as an ordinary
    /// failure. Holding the killer back turns an OOM into a stall the caller resolves by killing
    /// every process of the cgroup, as v2's `memory.oom.group` = 1 does. Whoever calls this must
    /// watch ``oomStatus()`` while the cgroup holds processes, or they wait at the cap for good.
    /// Allocations the kernel makes for a process inside a system call cannot wait: they fail with
    /// `ENOMEM` instead.
    ///
    /// - Returns: `true` if the killer is now held back; `false` if the cgroup has no v1 memory
    ///   directory (on v2, use `memory.oom.group`).
    /// - Throws: ``CgroupError/Code/writeFailed`` naming the file.
    @discardableResult
    public func holdBackKernelOOMKiller() throws(CgroupError) -> Bool {
        guard let memory = directory(for: .memory), memory.version == .v1 else { return false }
        try CgroupFile.write("1", to: memory.file("memory.oom_control"))
        return true
    }

    /// Reads the cgroup's OOM state: one small file, cheap enough for every tick.
    public func oomStatus() -> CgroupOOMStatus {
        guard let memory = directory(for: .memory) else { return CgroupOOMStatus() }
        switch memory.version {
        case .v2:
            let events = CgroupFile.keyedValues(CgroupFile.readIfPresent(memory.file("memory.events")) ?? "")
            return CgroupOOMStatus(kills: events["oom_kill"])
        case .v1:
            let control = CgroupFile.keyedValues(CgroupFile.readIfPresent(memory.file("memory.oom_control")) ?? "")
            return CgroupOOMStatus(kills: control["oom_kill"], waitingForMemory: (control["under_oom"] ?? 0) > 0)
        }
    }
}
