/// Caps for one worker's cgroup. `nil` leaves that resource uncapped.
public struct CgroupLimits: Sendable, Hashable {
    /// The CPU period the quota is measured over: 100 ms, the kernel default.
    public static let cpuPeriodMicroseconds: UInt64 = 100_000

    /// CPU time per period as a fraction of one CPU: 0.25 is 25 % of one CPU, 2 is two full CPUs.
    /// Written as `cpu.max` (v2) or `cpu.cfs_quota_us` (v1); at least 1 ms per period. Default: `nil`.
    public var cpuQuota: Double?
    /// The smallest memory cap accepted: 16 MiB. Below it a worker cannot even start (the kernel
    /// rounds the cap down to whole pages, so a cap of a few bytes is 0), and a typo such as a
    /// missing unit (`10` for `10M`) is refused rather than starving the worker.
    public static let minimumMemoryMax: UInt64 = 16 << 20

    /// Memory limit in bytes (`memory.max`, v1 `memory.limit_in_bytes`); beyond it the kernel
    /// reclaims, then OOM-kills inside the cgroup. At least ``minimumMemoryMax``. Default: `nil`.
    public var memoryMax: UInt64?
    /// Swap the worker may use in bytes, applied together with ``memoryMax``; 0 means none
    /// (`memory.swap.max`, v1 `memory.memsw.limit_in_bytes` = memory + swap). Default: 0.
    public var swapMax: UInt64
    /// Maximum number of processes and threads in the cgroup (`pids.max`); forks beyond it fail. Default: `nil`.
    public var pidsMax: UInt64?

    /// Creates limits; every parameter has the default documented on its property.
    public init(cpuQuota: Double? = nil, memoryMax: UInt64? = nil, swapMax: UInt64 = 0, pidsMax: UInt64? = nil) {
        self.cpuQuota = cpuQuota
        self.memoryMax = memoryMax
        self.swapMax = swapMax
        self.pidsMax = pidsMax
    }

    /// The controllers these limits cannot be enforced without.
    public var requiredControllers: Set<CgroupController> {
        var controllers: Set<CgroupController> = []
        if cpuQuota != nil { controllers.insert(.cpu) }
        if memoryMax != nil { controllers.insert(.memory) }
        if pidsMax != nil { controllers.insert(.pids) }
        return controllers
    }

    /// The CPU quota in microseconds per ``cpuPeriodMicroseconds``, if set.
    var cpuQuotaMicroseconds: UInt64? {
        guard let cpuQuota else { return nil }
        return max(1000, UInt64((cpuQuota * Double(Self.cpuPeriodMicroseconds)).rounded()))
    }

    /// Checks every value is in range.
    ///
    /// - Throws: ``CgroupError/Code/invalidLimits`` naming the bad value.
    public func validate() throws(CgroupError) {
        if let cpuQuota, !(cpuQuota > 0 && cpuQuota.isFinite && cpuQuota <= 1024) {
            throw CgroupError(code: .invalidLimits, message: "CPU quota \(cpuQuota) must be a positive fraction of one CPU, e.g. 0.25")
        }
        if let memoryMax, memoryMax < Self.minimumMemoryMax {
            throw CgroupError(
                code: .invalidLimits,
                message: "memory limit of \(memoryMax) bytes is below the minimum of \(Self.minimumMemoryMax >> 20) MiB"
            )
        }
        if pidsMax == 0 {
            throw CgroupError(code: .invalidLimits, message: "process limit must be at least 1")
        }
    }
}
