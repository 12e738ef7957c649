import CJobqSystem

/// Classic per-process limits (`setrlimit`), a fallback for hosts where no cgroup can be used.
public struct ResourceLimits: Sendable, Hashable {
    /// Maximum virtual address space in bytes (`RLIMIT_AS`); allocations beyond it fail. `nil`: unchanged.
    public var addressSpace: UInt64?
    /// Maximum number of processes of the child's real user, all of them counted (`RLIMIT_NPROC`).
    /// Not enforced for root. `nil`: unchanged.
    public var processCount: UInt64?
    /// CPU time after which the child gets `SIGXCPU`, and `SIGKILL` one second later (`RLIMIT_CPU`,
    /// rounded up to whole seconds). `nil`: unchanged.
    public var cpuTime: Duration?

    /// Creates limits; each `nil` leaves that limit as inherited.
    public init(addressSpace: UInt64? = nil, processCount: UInt64? = nil, cpuTime: Duration? = nil) {
        self.addressSpace = addressSpace
        self.processCount = processCount
        self.cpuTime = cpuTime
    }

    /// The limits as the C shim takes them, in a fixed order.
    var rlimits: [jobq_rlimit] {
        var result: [jobq_rlimit] = []
        if let addressSpace {
            result.append(jobq_rlimit(resource: Int32(JOBQ_RLIMIT_ADDRESS_SPACE.rawValue), soft: addressSpace, hard: addressSpace))
        }
        if let processCount {
            result.append(jobq_rlimit(resource: Int32(JOBQ_RLIMIT_PROCESSES.rawValue), soft: processCount, hard: processCount))
        }
        if let cpuTime {
            let (seconds, attoseconds) = cpuTime.components
            let soft = UInt64(max(1, seconds + (attoseconds > 0 ? 1 : 0)))
            result.append(jobq_rlimit(resource: Int32(JOBQ_RLIMIT_CPU_SECONDS.rawValue), soft: soft, hard: soft + 1))
        }
        return result
    }

    /// How a limit from ``rlimits`` reads in an error message.
    static func describe(_ limit: jobq_rlimit) -> String {
        switch limit.resource {
        case Int32(JOBQ_RLIMIT_ADDRESS_SPACE.rawValue): return "RLIMIT_AS=\(limit.soft) bytes"
        case Int32(JOBQ_RLIMIT_PROCESSES.rawValue): return "RLIMIT_NPROC=\(limit.soft)"
        case Int32(JOBQ_RLIMIT_CPU_SECONDS.rawValue): return "RLIMIT_CPU=\(limit.soft)s"
        default: return "resource \(limit.resource)=\(limit.soft)"
        }
    }
}
