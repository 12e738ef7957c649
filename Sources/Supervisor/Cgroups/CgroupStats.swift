/// What a worker cgroup used, read while or after the worker runs. `nil` where this kernel or
/// hierarchy does not report it.
public struct CgroupStats: Sendable, Hashable {
    /// Processes killed by the kernel's OOM killer in this cgroup: v2 `memory.events` `oom_kill`,
    /// v1 `memory.oom_control` `oom_kill` (kernel 4.13+). On older v1 kernels this is
    /// `memory.failcnt`, how often usage hit the limit, an upper bound.
    public var oomKills: UInt64?
    /// Highest memory use in bytes: v2 `memory.peak` (kernel 5.19+), v1 `memory.max_usage_in_bytes`.
    public var memoryPeak: UInt64?
    /// CPU time used: v2 `cpu.stat` `usage_usec`, v1 `cpuacct.usage`.
    public var cpuUsage: Duration?
    /// Periods in which the CPU quota stopped the worker (`cpu.stat` `nr_throttled`).
    public var throttledPeriods: UInt64?
    /// Time the CPU quota held the worker back (`cpu.stat` `throttled_usec`, v1 `throttled_time`).
    public var throttledTime: Duration?
    /// Processes in the cgroup now.
    public var processCount: Int

    /// Creates statistics; every value defaults to unknown, the process count to 0.
    public init(
        oomKills: UInt64? = nil, memoryPeak: UInt64? = nil, cpuUsage: Duration? = nil,
        throttledPeriods: UInt64? = nil, throttledTime: Duration? = nil, processCount: Int = 0
    ) {
        self.oomKills = oomKills
        self.memoryPeak = memoryPeak
        self.cpuUsage = cpuUsage
        self.throttledPeriods = throttledPeriods
        self.throttledTime = throttledTime
        self.processCount = processCount
    }
}

extension WorkerCgroup {
    /// Reads the cgroup's statistics. Files this kernel lacks leave their values `nil`.
    public func stats() -> CgroupStats {
        var stats = CgroupStats(processCount: processIDs().count)
        if let memory = directory(for: .memory) {
            readMemory(memory, into: &stats)
        }
        if let unified = directories.first(where: { $0.version == .v2 }) {
            let cpu = CgroupFile.keyedValues(CgroupFile.readIfPresent(unified.file("cpu.stat")) ?? "")
            stats.cpuUsage = cpu["usage_usec"].map { .microseconds($0) }
            stats.throttledPeriods = cpu["nr_throttled"]
            stats.throttledTime = cpu["throttled_usec"].map { .microseconds($0) }
        }
        if let cpu = directory(for: .cpu), cpu.version == .v1 {
            let values = CgroupFile.keyedValues(CgroupFile.readIfPresent(cpu.file("cpu.stat")) ?? "")
            stats.throttledPeriods = values["nr_throttled"]
            stats.throttledTime = values["throttled_time"].map { .nanoseconds($0) }
        }
        if let accounting = directory(for: .cpuacct), accounting.version == .v1 {
            stats.cpuUsage = CgroupFile.number(accounting.file("cpuacct.usage")).map { .nanoseconds($0) }
        }
        return stats
    }

    private func readMemory(_ memory: CgroupDirectory, into stats: inout CgroupStats) {
        switch memory.version {
        case .v2:
            stats.oomKills = CgroupFile.keyedValues(CgroupFile.readIfPresent(memory.file("memory.events")) ?? "")["oom_kill"]
            stats.memoryPeak = CgroupFile.number(memory.file("memory.peak"))
        case .v1:
            let control = CgroupFile.keyedValues(CgroupFile.readIfPresent(memory.file("memory.oom_control")) ?? "")
            stats.oomKills = control["oom_kill"] ?? CgroupFile.number(memory.file("memory.failcnt"))
            stats.memoryPeak = CgroupFile.number(memory.file("memory.max_usage_in_bytes"))
        }
    }
}
