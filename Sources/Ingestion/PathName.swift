#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Lexical path handling: making a path absolute and standard without touching the file system.
enum PathName {
    /// Returns `path` as an absolute path with no `.` or `..` components, no repeated slashes and
    /// no trailing slash. A relative path is taken from the current working directory.
    ///
    /// `..` is resolved lexically, so the result names the same file the kernel would open unless a
    /// directory before the `..` is a symbolic link; callers open the standardised path, so the
    /// path they report is always the path they read.
    static func standardised(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : currentDirectory() + "/" + path
        var components: [Substring] = []
        for component in absolute.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".":
                continue
            case "..":
                _ = components.popLast()
            default:
                components.append(component)
            }
        }
        return "/" + components.joined(separator: "/")
    }

    /// The last component of `path`.
    static func fileName(of path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// The lowercased extension of a file name, without the dot; `nil` when there is none.
    /// A leading dot (as in `.profile`) does not start an extension.
    static func fileExtension(of name: String) -> String? {
        let fileName = fileName(of: name)
        guard let dot = fileName.lastIndex(of: "."), dot != fileName.startIndex else { return nil }
        let ext = fileName[fileName.index(after: dot)...]
        return ext.isEmpty ? nil : ext.lowercased()
    }

    /// Joins a directory path and an entry name.
    static func joined(_ directory: String, _ name: String) -> String {
        directory == "/" ? "/" + name : directory + "/" + name
    }

    private static func currentDirectory() -> String {
        guard let buffer = getcwd(nil, 0) else { return "/" }
        defer { free(buffer) }
        return String(cString: buffer)
    }
}
