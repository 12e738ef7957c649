import Glibc

/// Finds the file to execute for a program name, the way a shell searches `PATH`.
public enum ExecutableLookup {
    /// Used when neither the child's environment nor this process has a `PATH`.
    public static let defaultSearchPath = "/usr/local/bin:/usr/bin:/bin"

    /// Returns `name` unchanged when it contains a slash (the kernel reports problems at exec),
    /// else the first regular, executable `dir/name` on `searchPath`.
    ///
    /// - Throws: ``ProcessError/Code/executableNotFound`` when no directory has it,
    ///   ``ProcessError/Code/notExecutable`` when it exists only without execute permission.
    public static func resolve(_ name: String, searchPath: String) throws(ProcessError) -> String {
        if name.contains("/") {
            return name
        }
        guard !name.isEmpty else {
            throw ProcessError(code: .executableNotFound, message: "no executable given")
        }
        var foundWithoutPermission: String?
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + name
            var info = stat()
            guard stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            if access(candidate, X_OK) == 0 {
                return candidate
            }
            foundWithoutPermission = foundWithoutPermission ?? candidate
        }
        if let foundWithoutPermission {
            throw ProcessError(
                code: .notExecutable,
                message: "found \(foundWithoutPermission) for '\(name)' but it is not executable (chmod +x it)",
                errno: EACCES
            )
        }
        throw ProcessError(
            code: .executableNotFound,
            message: "executable '\(name)' not found in PATH (\(searchPath)); install it or give its full path"
        )
    }

    /// Like ``resolve(_:searchPath:)``, and a path with a slash must also name an executable
    /// regular file: for checking a command before the first launch, so a typo fails at start.
    /// - Throws: ``ProcessError/Code/executableNotFound`` or ``ProcessError/Code/notExecutable``.
    public static func resolveExisting(_ name: String, searchPath: String) throws(ProcessError) -> String {
        let path = try resolve(name, searchPath: searchPath)
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw ProcessError(code: .executableNotFound, message: "\(path) does not exist or is not a regular file")
        }
        guard access(path, X_OK) == 0 else {
            throw ProcessError(code: .notExecutable, message: "\(path) is not executable (chmod +x it)", errno: EACCES)
        }
        return path
    }
}
