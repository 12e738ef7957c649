/// One cgroup or cgroup2 mount from `/proc/self/mountinfo`.
struct CgroupMount: Equatable {
    /// Whether it is a v1 (`cgroup`) or v2 (`cgroup2`) mount.
    let version: CgroupVersion
    /// The cgroup path of the hierarchy that appears at the mount point (usually `/`).
    let root: String
    /// Where it is mounted.
    let mountPoint: String
    /// v1: the known controllers in its super options (`rw,cpu,cpuacct`). v2: empty.
    let controllers: Set<CgroupController>

    /// The cgroup mounts in mountinfo text, in order.
    ///
    /// A line reads `id parent major:minor root mount-point options [optional...] - type source super-options`,
    /// with spaces and backslashes in paths escaped as octal (`\040`).
    static func parse(mountinfo: String) -> [CgroupMount] {
        mountinfo.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: " ").map(String.init)
            guard let separator = fields.firstIndex(of: "-"), separator >= 6, fields.count > separator + 3 else { return nil }
            let version: CgroupVersion
            switch fields[separator + 1] {
            case "cgroup": version = .v1
            case "cgroup2": version = .v2
            default: return nil
            }
            let options = fields[separator + 3].split(separator: ",").map(String.init)
            let controllers = version == .v1 ? Set(options.compactMap(CgroupController.init(rawValue:))) : []
            return CgroupMount(
                version: version, root: unescape(fields[3]), mountPoint: unescape(fields[4]), controllers: controllers
            )
        }
    }

    /// The directory of cgroup `path` of this hierarchy, or `nil` if the mount does not show it.
    func directory(of path: String) -> String? {
        let relative: Substring
        if root == "/" {
            relative = path == "/" ? "" : Substring(path)
        } else if path == root {
            relative = ""
        } else if path.hasPrefix(root + "/") {
            relative = path.dropFirst(root.count)
        } else {
            return nil
        }
        return mountPoint + relative
    }

    /// Undoes mountinfo's octal escapes (`\040` for a space).
    private static func unescape(_ field: String) -> String {
        guard field.contains("\\") else { return field }
        var bytes: [UInt8] = []
        let source = Array(field.utf8)
        var index = 0
        while index < source.count {
            if source[index] == UInt8(ascii: "\\"), index + 3 < source.count,
               let value = UInt8(String(decoding: source[(index + 1)...(index + 3)], as: UTF8.self), radix: 8) {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(source[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// This process's cgroup in each hierarchy, from `/proc/self/cgroup`.
struct CgroupMembership: Equatable {
    /// Path per v1 controller (`4:memory:/a/b` gives memory → `/a/b`).
    let v1Paths: [CgroupController: String]
    /// Path in the unified hierarchy (`0::/a/b`), if there is one.
    let v2Path: String?

    /// Parses `hierarchy-id:controllers:path` lines.
    init(procSelfCgroup text: String) {
        var v1Paths: [CgroupController: String] = [:]
        var v2Path: String?
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let path = String(fields[2])
            if fields[0] == "0" && fields[1].isEmpty {
                v2Path = path
                continue
            }
            for name in fields[1].split(separator: ",") {
                if let controller = CgroupController(rawValue: String(name)) {
                    v1Paths[controller] = path
                }
            }
        }
        self.v1Paths = v1Paths
        self.v2Path = v2Path
    }
}
