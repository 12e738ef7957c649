/// Everything a probe read about the host at one moment. Parts that were not asked for, or could
/// not be read, are nil; `notes` says why a part that was asked for is missing or incomplete.
public struct HostSnapshot: Sendable, Equatable {
    /// Which parts of the host a probe reads.
    public struct Parts: OptionSet, Sendable, Hashable {
        /// The bits of the set.
        public let rawValue: UInt8

        /// Creates a set of parts from its bits.
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// `/proc/loadavg`.
        public static let load = Parts(rawValue: 1 << 0)
        /// The number of online CPUs.
        public static let cpus = Parts(rawValue: 1 << 1)
        /// `/proc/meminfo`.
        public static let memory = Parts(rawValue: 1 << 2)
        /// `/proc/pressure/{cpu,memory,io}`.
        public static let pressure = Parts(rawValue: 1 << 3)
        /// Every process in `/proc`, with uptime and boot time.
        public static let processes = Parts(rawValue: 1 << 4)
        /// Disk usage of the configured paths (runs `df`).
        public static let disks = Parts(rawValue: 1 << 5)
        /// Failed units and service restart settings (runs `systemctl`).
        public static let systemd = Parts(rawValue: 1 << 6)

        /// The cheap parts admission control needs: a few small files, no process scan, no commands.
        public static let admission: Parts = [.load, .cpus, .memory, .pressure]
        /// Everything.
        public static let all: Parts = [.load, .cpus, .memory, .pressure, .processes, .disks, .systemd]
    }

    /// Load averages.
    public var load: LoadAverage?
    /// Online CPUs.
    public var cpuCount: Int?
    /// Memory and swap.
    public var memory: MemoryInfo?
    /// Pressure stall information; nil when the kernel has no PSI (or it was not asked for).
    public var pressure: HostPressure?
    /// Seconds since boot.
    public var uptimeSeconds: Double?
    /// Processes, in pid order; empty when not asked for or unreadable.
    public var processes: [ProcessSample]
    /// The pid of the process that took this snapshot, when it inspected the live host (nil for replays).
    public var observerPID: Int32?
    /// Disk usage of each configured path that `df` could report.
    public var disks: [DiskUsage]
    /// What systemd reported.
    public var systemd: SystemdState?
    /// Why some part is missing or incomplete, one sentence each.
    public var notes: [String]

    /// Creates a snapshot; every part defaults to absent.
    public init(
        load: LoadAverage? = nil, cpuCount: Int? = nil, memory: MemoryInfo? = nil,
        pressure: HostPressure? = nil, uptimeSeconds: Double? = nil, processes: [ProcessSample] = [],
        observerPID: Int32? = nil, disks: [DiskUsage] = [], systemd: SystemdState? = nil, notes: [String] = []
    ) {
        self.load = load
        self.cpuCount = cpuCount
        self.memory = memory
        self.pressure = pressure
        self.uptimeSeconds = uptimeSeconds
        self.processes = processes
        self.observerPID = observerPID
        self.disks = disks
        self.systemd = systemd
        self.notes = notes
    }
}
