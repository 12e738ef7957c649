#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the files under a directory that an `ingest.dir` job fans out to.
public enum DirectoryScan {
    /// Lists, recursively, the regular files under `directory` whose extension is one of
    /// ``IngestionOptions/allowedExtensions``.
    ///
    /// - Entries whose name starts with `.` are skipped, and hidden directories are not entered.
    /// - Symbolic links are skipped unless ``IngestionOptions/followSymlinks`` is on; then links to
    ///   files are listed (under the link's path), links to directories are entered, and a
    ///   directory reached twice (a link loop) is entered once.
    /// - A file reachable by several paths (links, hard links) is listed once, under the first of
    ///   its paths in sorted order.
    /// - Names that are not valid UTF-8 are skipped, since no path string could reopen them.
    ///
    /// Blocking: reads directories synchronously.
    /// - Parameters:
    ///   - directory: The directory to scan; relative paths are taken from the working directory.
    ///   - options: Extensions, symlink policy and the file-count cap.
    /// - Returns: Absolute, standardised paths in ascending order.
    /// - Throws: ``IngestionError`` with code `directoryNotFound`, `notADirectory`, `unreadable`,
    ///   `tooManyFiles` (more than ``IngestionOptions/maxScannedFiles`` matches) or `invalidOptions`.
    public static func files(in directory: String, options: IngestionOptions = IngestionOptions()) throws(IngestionError) -> [String] {
        try options.validate()
        let root = PathName.standardised(directory)
        var rootInfo = stat()
        guard stat(root, &rootInfo) == 0 else {
            let error = errno
            if error == ENOENT || error == ENOTDIR {
                throw IngestionError(code: .directoryNotFound, message: "no directory exists at this path; check the path in the job payload", path: root, errno: error)
            }
            throw IngestionError(code: .unreadable, message: "the directory cannot be inspected: \(String(cString: strerror(error)))", path: root, errno: error)
        }
        guard FileKind(mode: rootInfo.st_mode) == .directory else {
            throw IngestionError(code: .notADirectory, message: "the path is a \(FileKind(mode: rootInfo.st_mode).rawValue), not a directory; use an ingest.file job for a single file", path: root)
        }

        var enteredDirectories: Set<FileIdentity> = [FileIdentity(rootInfo)]
        var pending = [root]
        var firstPathOfFile: [FileIdentity: String] = [:]
        while let current = pending.popLast() {
            for name in try entryNames(of: current) where !name.hasPrefix(".") {
                let path = PathName.joined(current, name)
                guard let (kind, identity) = resolve(path, followSymlinks: options.followSymlinks) else { continue }
                switch kind {
                case .directory:
                    if enteredDirectories.insert(identity).inserted { pending.append(path) }
                case .regular where options.allowsExtension(ofFileName: name):
                    if let earlier = firstPathOfFile[identity], earlier < path { continue }
                    firstPathOfFile[identity] = path
                    if firstPathOfFile.count > options.maxScannedFiles {
                        throw IngestionError(
                            code: .tooManyFiles,
                            message: "more than \(options.maxScannedFiles) matching files; scan a smaller directory or raise maxScannedFiles",
                            path: root
                        )
                    }
                default:
                    continue
                }
            }
        }
        return firstPathOfFile.values.sorted()
    }

    /// The kind and identity of the entry at `path`, looking through a symbolic link only when
    /// allowed; `nil` for a link that may not be followed, a dangling link, or an entry that vanished.
    private static func resolve(_ path: String, followSymlinks: Bool) -> (FileKind, FileIdentity)? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        if FileKind(mode: info.st_mode) == .symbolicLink {
            guard followSymlinks, stat(path, &info) == 0 else { return nil }
        }
        return (FileKind(mode: info.st_mode), FileIdentity(info))
    }

    /// The names in a directory, except `.` and `..` and names that are not valid UTF-8.
    private static func entryNames(of directory: String) throws(IngestionError) -> [String] {
        guard let handle = opendir(directory) else {
            let error = errno
            throw IngestionError(code: .unreadable, message: "the directory cannot be listed: \(String(cString: strerror(error)))", path: directory, errno: error)
        }
        defer { closedir(handle) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(handle) else { break }
            let name = withUnsafePointer(to: entry.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple.pointee)) {
                    String(validatingCString: $0)
                }
            }
            guard let name, name != ".", name != ".." else { continue }
            names.append(name)
        }
        if errno != 0 {
            let error = errno
            throw IngestionError(code: .unreadable, message: "listing the directory failed: \(String(cString: strerror(error)))", path: directory, errno: error)
        }
        return names
    }
}

/// What identifies a file independent of its path: device and inode numbers.
struct FileIdentity: Hashable, Sendable {
    var device: UInt64
    var inode: UInt64

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}
