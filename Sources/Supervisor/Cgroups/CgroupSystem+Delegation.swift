import Glibc

extension CgroupSystem {
    /// On cgroup v2, makes the supervisor's own cgroup able to hold worker cgroups.
    ///
    /// A v2 cgroup that holds processes cannot enable controllers for children (the
    /// no-internal-process rule), so the supervisor first moves itself into the leaf
    /// `<own>/supervisor`, then writes `+cpu +memory +pids` (those offered) to
    /// `<own>/cgroup.subtree_control`. Under systemd this needs `Delegate=yes` on the unit.
    /// Calling it again, or after a restart that found the supervisor already in its leaf, only
    /// enables what is missing. Does nothing where no unified hierarchy offers those controllers
    /// (v1 hierarchies allow processes beside child cgroups), and moves nothing at the v2 root.
    ///
    /// - Throws: ``CgroupError`` naming the file that could not be written and what to do.
    public mutating func prepareDelegatedParent() throws(CgroupError) {
        guard let unified = hierarchies.first(where: { $0.version == .v2 }), !unified.controllers.isEmpty else { return }
        let leaf = unified.baseDirectory + "/" + Self.supervisorLeafName
        if unified.baseDirectory != unified.mountPoint && unified.ownDirectory != leaf {
            try CgroupFile.makeDirectory(leaf)
            do {
                try CgroupFile.write(String(getpid()), to: leaf + "/cgroup.procs")
            } catch {
                throw CgroupError(
                    code: .notDelegated,
                    message: "cannot move the supervisor into \(leaf): \(error.message); \(CgroupError.remedy)",
                    errno: error.errno
                )
            }
            replaceHierarchy(unified, with: CgroupHierarchy(
                version: .v2, mountPoint: unified.mountPoint, controllers: unified.controllers,
                ownDirectory: leaf, baseDirectory: unified.baseDirectory
            ))
        }
        try Self.enableControllers(unified.controllers, in: unified.baseDirectory)
    }

    /// Enables `controllers` for the children of a v2 cgroup, writing only those not yet enabled.
    ///
    /// - Throws: ``CgroupError/Code/notDelegated`` when the cgroup still holds processes,
    ///   ``CgroupError/Code/writeFailed`` otherwise.
    static func enableControllers(_ controllers: Set<CgroupController>, in directory: String) throws(CgroupError) {
        let path = directory + "/cgroup.subtree_control"
        let enabled = Set((CgroupFile.readIfPresent(path) ?? "").split(whereSeparator: \.isWhitespace).compactMap {
            CgroupController(rawValue: String($0.drop(while: { $0 == "+" })))
        })
        let missing = controllers.subtracting(enabled).sorted()
        guard !missing.isEmpty else { return }
        do {
            try CgroupFile.write(missing.map { "+" + $0.rawValue }.joined(separator: " "), to: path)
        } catch {
            guard error.errno == EBUSY else {
                throw CgroupError(code: .writeFailed, message: "\(error.message); \(CgroupError.remedy)", errno: error.errno)
            }
            throw CgroupError(
                code: .notDelegated,
                message: "\(error.message): \(directory) still holds processes, and a v2 cgroup with processes "
                    + "cannot have capped children; call prepareDelegatedParent() first, and run the supervisor "
                    + "as a systemd service with Delegate=yes so no other process shares its cgroup",
                errno: error.errno
            )
        }
    }
}
