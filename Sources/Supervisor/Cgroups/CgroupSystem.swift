import Glibc
import Processes

/// The cgroup hierarchies of this host and which controllers the supervisor can use for workers.
public struct CgroupSystem: Sendable {
    /// How the host mounts cgroups.
    public enum Layout: Sendable, Hashable {
        /// Pure cgroup v2: the unified hierarchy is mounted at the root itself.
        case unified
        /// v1 controller hierarchies plus a cgroup2 mount beside them (usually `<root>/unified`).
        case hybrid
        /// v1 controller hierarchies only.
        case legacy
    }

    /// On v2, the leaf the supervisor moves itself into so its own cgroup can have worker children.
    public static let supervisorLeafName = "supervisor"

    /// How the host mounts cgroups.
    public let layout: Layout
    /// The hierarchies that hold at least one controller of interest, plus the unified one.
    public private(set) var hierarchies: [CgroupHierarchy]
    /// Where each usable controller lives: mounted, holding the supervisor's cgroup, and writable.
    public private(set) var usableControllers: [CgroupController: CgroupHierarchy]
    /// Why each other controller cannot be used, in words for the operator.
    public let unusableReasons: [CgroupController: String]

    /// Finds the cgroup hierarchies and the supervisor's own cgroup in each.
    ///
    /// - Parameters:
    ///   - root: where cgroup filesystems are mounted; only mounts at or below it count.
    ///   - procSelfCgroup: the file listing this process's cgroups.
    ///   - mountinfo: the file listing mounts.
    /// - Throws: ``CgroupError/Code/notMounted`` when no cgroup filesystem is mounted under `root`
    ///   or a file cannot be read.
    public static func detect(
        root: String = "/sys/fs/cgroup",
        procSelfCgroup: String = "/proc/self/cgroup",
        mountinfo: String = "/proc/self/mountinfo"
    ) throws(CgroupError) -> CgroupSystem {
        let mounts = try CgroupMount.parse(mountinfo: readInput(mountinfo)).filter {
            $0.mountPoint == root || $0.mountPoint.hasPrefix(root + "/")
        }
        guard !mounts.isEmpty else {
            throw CgroupError(
                code: .notMounted,
                message: "no cgroup filesystem is mounted at \(root) (per \(mountinfo)); mount cgroup2 there or pass --no-cgroup"
            )
        }
        let membership = CgroupMembership(procSelfCgroup: try readInput(procSelfCgroup))
        var (hierarchies, reasons) = v1Hierarchies(mounts, membership: membership)
        let v1Controllers = hierarchies.reduce(into: Set<CgroupController>()) { $0.formUnion($1.controllers) }
        if let unified = mounts.first(where: { $0.version == .v2 && $0.mountPoint == root }) ?? mounts.first(where: { $0.version == .v2 }) {
            if let path = membership.v2Path, let directory = unified.directory(of: path) {
                hierarchies.append(unifiedHierarchy(mount: unified, ownDirectory: directory, excluding: v1Controllers))
            } else {
                for controller in [CgroupController.cpu, .memory, .pids] where !v1Controllers.contains(controller) {
                    reasons[controller] = "this process's cgroup2 path is not visible under \(unified.mountPoint)"
                }
            }
        }
        let layout: Layout = mounts.contains(where: { $0.version == .v2 && $0.mountPoint == root })
            ? .unified
            : (mounts.contains(where: { $0.version == .v2 }) ? .hybrid : .legacy)

        var usable: [CgroupController: CgroupHierarchy] = [:]
        for controller in CgroupController.allCases {
            guard let hierarchy = hierarchies.first(where: { $0.controllers.contains(controller) }) else {
                if reasons[controller] == nil {
                    reasons[controller] = missingReason(controller, layout: layout, hierarchies: hierarchies)
                }
                continue
            }
            if let problem = writeProblem(hierarchy.baseDirectory) {
                reasons[controller] = "the \(controller.rawValue) cgroup \(hierarchy.baseDirectory) \(problem)"
            } else {
                usable[controller] = hierarchy
            }
        }
        return CgroupSystem(layout: layout, hierarchies: hierarchies, usableControllers: usable, unusableReasons: reasons)
    }

    /// The v1 hierarchies that hold this process, and why controllers of the others cannot be used.
    private static func v1Hierarchies(
        _ mounts: [CgroupMount], membership: CgroupMembership
    ) -> ([CgroupHierarchy], [CgroupController: String]) {
        var hierarchies: [CgroupHierarchy] = []
        var reasons: [CgroupController: String] = [:]
        for mount in mounts where mount.version == .v1 && !mount.controllers.isEmpty {
            guard let path = mount.controllers.lazy.compactMap({ membership.v1Paths[$0] }).first,
                  let directory = mount.directory(of: path) else {
                for controller in mount.controllers {
                    reasons[controller] = "this process's \(controller.rawValue) cgroup is not visible under \(mount.mountPoint)"
                }
                continue
            }
            hierarchies.append(CgroupHierarchy(
                version: .v1, mountPoint: mount.mountPoint, controllers: mount.controllers,
                ownDirectory: directory, baseDirectory: directory
            ))
        }
        return (hierarchies, reasons)
    }

    /// Checks the controllers needed for some limits are usable.
    ///
    /// - Throws: ``CgroupError/Code/controllerUnavailable`` saying why each missing one is unusable
    ///   and what to do.
    public func requireControllers(_ needed: Set<CgroupController>) throws(CgroupError) {
        let missing = needed.subtracting(usableControllers.keys).sorted()
        guard !missing.isEmpty else { return }
        let why = missing.map { "\($0.rawValue): \(unusableReasons[$0] ?? "not available")" }.joined(separator: "; ")
        throw CgroupError(code: .controllerUnavailable, message: "cannot cap workers: \(why); \(CgroupError.remedy)")
    }

    /// Replaces the unified hierarchy after the supervisor moved into its leaf.
    mutating func replaceHierarchy(_ old: CgroupHierarchy, with new: CgroupHierarchy) {
        hierarchies = hierarchies.map { $0 == old ? new : $0 }
        usableControllers = usableControllers.mapValues { $0 == old ? new : $0 }
    }

    private static func readInput(_ path: String) throws(CgroupError) -> String {
        do {
            return try CgroupFile.read(path)
        } catch {
            throw CgroupError(code: .notMounted, message: "cannot read \(path) to find cgroups", errno: error.errno)
        }
    }

    /// The unified hierarchy; its usable controllers are those its base may enable for children.
    private static func unifiedHierarchy(mount: CgroupMount, ownDirectory: String, excluding v1Controllers: Set<CgroupController>) -> CgroupHierarchy {
        let isSupervisorLeaf = ownDirectory != mount.mountPoint && ownDirectory.hasSuffix("/" + supervisorLeafName)
        let base = isSupervisorLeaf ? String(ownDirectory.dropLast(supervisorLeafName.count + 1)) : ownDirectory
        let available = CgroupFile.readIfPresent(base + "/cgroup.controllers") ?? ""
        let controllers = Set(available.split(whereSeparator: \.isWhitespace).compactMap { CgroupController(rawValue: String($0)) })
        return CgroupHierarchy(
            version: .v2, mountPoint: mount.mountPoint, controllers: controllers.subtracting(v1Controllers),
            ownDirectory: ownDirectory, baseDirectory: base
        )
    }

    private static func missingReason(_ controller: CgroupController, layout: Layout, hierarchies: [CgroupHierarchy]) -> String {
        guard let unified = hierarchies.first(where: { $0.version == .v2 }) else {
            return "no \(controller.rawValue) hierarchy is mounted"
        }
        if controller == .cpuacct {
            return "cgroup v2 has no cpuacct controller (cpu.stat reports usage)"
        }
        if layout == .hybrid {
            return "no v1 \(controller.rawValue) hierarchy is mounted and the cgroup2 mount at \(unified.mountPoint) does not offer it"
        }
        return "\(controller.rawValue) is not in \(unified.baseDirectory)/cgroup.controllers (not delegated to this cgroup)"
    }

    /// Why a cgroup directory cannot be used for children, or `nil` if it can.
    private static func writeProblem(_ directory: String) -> String? {
        var info = stat()
        guard stat(directory, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            return "does not exist"
        }
        guard access(directory, W_OK) == 0 else {
            let error = errno
            return error == EROFS
                ? "is on a read-only mount"
                : "is not writable by this process (uid \(getuid())): \(describeErrno(error))"
        }
        return nil
    }
}
