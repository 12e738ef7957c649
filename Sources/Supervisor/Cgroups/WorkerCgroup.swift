/// The cgroup one worker launch runs in, with its caps applied, in every hierarchy of its parent.
///
/// Give ``procsPaths`` to `LaunchOptions.cgroupProcsPaths` so the worker joins it before it runs.
/// After the worker: read ``stats()``, then ``killAll(timeout:)`` and ``remove()``.
public struct WorkerCgroup: Sendable, Hashable {
    /// The worker cgroup's name inside its parent, e.g. `worker-7`.
    public let name: String
    /// Its directory in each hierarchy.
    public let directories: [CgroupDirectory]
    /// Caps that could not be applied exactly on this kernel, in words for the operator
    /// (e.g. swap accounting is off). Empty when everything was applied.
    public let warnings: [String]

    /// The `cgroup.procs` file of every directory: what a new process writes itself into.
    public var procsPaths: [String] {
        directories.map { $0.file("cgroup.procs") }
    }

    /// The directory that provides `controller`, if any.
    func directory(for controller: CgroupController) -> CgroupDirectory? {
        directories.first { $0.controllers.contains(controller) }
    }
}

extension WorkerCgroupParent {
    /// Creates the cgroup for one worker launch in every hierarchy and writes its caps.
    ///
    /// A leftover directory of the same name is reused when empty.
    ///
    /// - Parameters:
    ///   - name: the directory name, e.g. `worker-7`.
    ///   - limits: the caps to write.
    /// - Returns: the worker cgroup, with warnings for caps this kernel cannot apply exactly.
    /// - Throws: ``CgroupError/Code/busy`` when a cgroup of that name still holds processes (a
    ///   previous worker is still running); other ``CgroupError``s naming the file that failed.
    public func createWorker(named name: String, limits: CgroupLimits) throws(CgroupError) -> WorkerCgroup {
        try validateName(name)
        try limits.validate()
        let offered = directories.reduce(into: Set<CgroupController>()) { $0.formUnion($1.controllers) }
        let missing = limits.requiredControllers.subtracting(offered).sorted()
        guard missing.isEmpty else {
            throw CgroupError(
                code: .controllerUnavailable,
                message: "the worker parent \(self.name) has no \(missing.map(\.rawValue).joined(separator: ", ")) controller; "
                    + "create it with limits that need it"
            )
        }

        var created: [CgroupDirectory] = []
        var warnings: [String] = []
        do throws(CgroupError) {
            for parent in directories {
                let directory = CgroupDirectory(version: parent.version, path: parent.path + "/" + name, controllers: parent.controllers)
                try CgroupFile.makeDirectory(directory.path)
                created.append(directory)
                let leftovers = CgroupFile.processIDs(in: directory.path)
                guard leftovers.isEmpty else {
                    created.removeLast()
                    throw CgroupError(
                        code: .busy,
                        message: "cgroup \(directory.path) already holds processes \(leftovers.map(String.init).joined(separator: ", ")): "
                            + "a previous worker is still running; stop it (jobq emergency-stop) or kill the cgroup's processes"
                    )
                }
                warnings += try CgroupLimitWriter.apply(limits, to: directory)
            }
        } catch {
            try? removeCgroupDirectories(created, what: "worker cgroup")
            throw error
        }
        return WorkerCgroup(name: name, directories: created, warnings: warnings)
    }
}
