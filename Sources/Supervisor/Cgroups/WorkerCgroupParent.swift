import Glibc

/// The cgroup that holds one queue's worker cgroups, e.g. `<own cgroup>/jobq-<queue>` in each hierarchy.
public struct WorkerCgroupParent: Sendable, Hashable {
    /// The parent's name, given by the caller.
    public let name: String
    /// The parent's directory in each hierarchy it spans.
    public let directories: [CgroupDirectory]

    /// Removes the parent's directories once no worker cgroup is left in them.
    ///
    /// - Throws: ``CgroupError/Code/notEmpty`` when a worker cgroup is still inside,
    ///   ``CgroupError/Code/removeFailed`` for other failures.
    public func remove() throws(CgroupError) {
        try removeCgroupDirectories(directories, what: "worker parent cgroup")
    }
}

extension CgroupSystem {
    /// Creates (or reuses) the parent of one queue's worker cgroups in every hierarchy of a usable
    /// controller, and on v2 enables the controllers for its children.
    ///
    /// - Parameters:
    ///   - name: the directory name, e.g. `jobq-emails`.
    ///   - limits: the limits the workers will get; their controllers must be usable.
    /// - Returns: the parent, ready for ``WorkerCgroupParent/createWorker(named:limits:)``.
    /// - Throws: ``CgroupError`` saying which controller is missing or which file could not be written.
    public func makeWorkerParent(named name: String, for limits: CgroupLimits) throws(CgroupError) -> WorkerCgroupParent {
        try validateName(name)
        try limits.validate()
        try requireControllers(limits.requiredControllers)
        if usableControllers.isEmpty {
            try requireControllers([.cpu, .memory, .pids])
        }
        var directories: [CgroupDirectory] = []
        for hierarchy in hierarchies {
            let controllers = Set(usableControllers.filter { $0.value == hierarchy }.keys)
            guard !controllers.isEmpty else { continue }
            let directory = hierarchy.baseDirectory + "/" + name
            if hierarchy.version == .v2 {
                try Self.enableControllers(controllers, in: hierarchy.baseDirectory)
            }
            try CgroupFile.makeDirectory(directory)
            if hierarchy.version == .v2 {
                try Self.enableControllers(controllers, in: directory)
            }
            directories.append(CgroupDirectory(version: hierarchy.version, path: directory, controllers: controllers))
        }
        return WorkerCgroupParent(name: name, directories: directories)
    }
}

/// Refuses names that would escape the parent directory or be cgroupfs's own files.
func validateName(_ name: String) throws(CgroupError) {
    guard !name.isEmpty, name != ".", name != "..", !name.contains("/"), !name.hasPrefix("cgroup.") else {
        throw CgroupError(code: .invalidName, message: "\"\(name)\" cannot be a cgroup name")
    }
}

/// Removes cgroup directories that hold no processes; a gone directory counts as removed.
func removeCgroupDirectories(_ directories: [CgroupDirectory], what: String) throws(CgroupError) {
    var firstError: CgroupError?
    for directory in directories {
        let processes = CgroupFile.processIDs(in: directory.path)
        if !processes.isEmpty {
            firstError = firstError ?? CgroupError(
                code: .notEmpty,
                message: "cannot remove \(what) \(directory.path): it still holds processes "
                    + "\(processes.map(String.init).joined(separator: ", ")); kill them first"
            )
            continue
        }
        if rmdir(directory.path) == 0 || errno == ENOENT { continue }
        let error = errno
        firstError = firstError ?? CgroupError(
            code: error == EBUSY || error == ENOTEMPTY ? .notEmpty : .removeFailed,
            message: "cannot remove \(what) \(directory.path)"
                + (error == EBUSY || error == ENOTEMPTY ? ": it still has child cgroups or processes" : ""),
            errno: error
        )
    }
    if let firstError { throw firstError }
}
