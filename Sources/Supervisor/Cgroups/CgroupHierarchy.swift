/// A cgroup controller the supervisor uses.
public enum CgroupController: String, Sendable, Hashable, CaseIterable, Comparable {
    /// CPU bandwidth (quota) and, on v2, CPU usage statistics.
    case cpu
    /// CPU usage accounting on cgroup v1 (`cpuacct.usage`); v2 folds it into `cpu`.
    case cpuacct
    /// Memory and swap limits, OOM kill counts, peak usage.
    case memory
    /// Process count limit.
    case pids

    /// Declaration order, which is also the order controllers are written in.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Which cgroup interface a hierarchy speaks.
public enum CgroupVersion: Sendable, Hashable {
    /// Legacy per-controller hierarchies (`cpu.cfs_quota_us`, `memory.limit_in_bytes`, ...).
    case v1
    /// The unified hierarchy (`cpu.max`, `memory.max`, `cgroup.subtree_control`, ...).
    case v2
}

/// One mounted cgroup hierarchy and the supervisor's place in it.
public struct CgroupHierarchy: Sendable, Hashable {
    /// The interface the hierarchy speaks.
    public let version: CgroupVersion
    /// Where the hierarchy is mounted.
    public let mountPoint: String
    /// v1: the controllers bound to this mount. v2: the controllers the supervisor may enable
    /// for its worker cgroups (`cgroup.controllers` of ``baseDirectory``).
    public let controllers: Set<CgroupController>
    /// The directory of the cgroup the supervisor process is in.
    public let ownDirectory: String
    /// Where worker parents are created: ``ownDirectory``, except on v2 once the supervisor moved
    /// into its leaf (``CgroupSystem/supervisorLeafName``), where it is that leaf's parent.
    public let baseDirectory: String

    /// Creates a description of a hierarchy.
    public init(version: CgroupVersion, mountPoint: String, controllers: Set<CgroupController>, ownDirectory: String, baseDirectory: String) {
        self.version = version
        self.mountPoint = mountPoint
        self.controllers = controllers
        self.ownDirectory = ownDirectory
        self.baseDirectory = baseDirectory
    }
}

/// One directory of a cgroup in one hierarchy, with the controllers it provides.
public struct CgroupDirectory: Sendable, Hashable {
    /// The interface the directory's hierarchy speaks.
    public let version: CgroupVersion
    /// The directory.
    public let path: String
    /// The controllers the supervisor uses through this directory.
    public let controllers: Set<CgroupController>

    /// Creates a description of a cgroup directory.
    public init(version: CgroupVersion, path: String, controllers: Set<CgroupController>) {
        self.version = version
        self.path = path
        self.controllers = controllers
    }

    /// The path of a file in this directory.
    func file(_ name: String) -> String { path + "/" + name }
}
