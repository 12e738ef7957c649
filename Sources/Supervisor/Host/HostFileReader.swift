#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file under the inspected root could not be read.
struct HostReadError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A short name for the kind of failure.
        let name: String

        /// The file or directory does not exist.
        static let missing = Code(name: "missing")
        /// The file exists but this user may not read it.
        static let permissionDenied = Code(name: "permissionDenied")
        /// The kernel refuses the read (for example PSI files when PSI is disabled at boot).
        static let unsupported = Code(name: "unsupported")
        /// Any other I/O failure.
        static let ioFailure = Code(name: "ioFailure")
        /// The file's bytes are not UTF-8 text.
        static let notText = Code(name: "notText")

        /// The code's name.
        var description: String { name }
    }

    /// The kind of failure.
    let code: Code
    /// What failed, phrased for the operator.
    let message: String
    /// The `errno` reported by the system call, when one failed.
    let errno: Int32?

    /// The message followed by the system's explanation of `errno`.
    var description: String {
        guard let errno else { return message }
        return "\(message): \(String(cString: strerror(errno)))"
    }
}

/// Reads text files and directory listings below a root directory, so a probe can replay a recorded host.
///
/// Synchronous and blocking: call it from a dedicated thread, never from async code.
struct HostFileReader: Sendable {
    /// The directory that stands for `/`; empty when it is `/` itself.
    private let rootPrefix: String

    /// Creates a reader for files below `root` (`"/"` for the live system).
    init(root: String) {
        var prefix = root
        while prefix.hasSuffix("/") { prefix.removeLast() }
        rootPrefix = prefix
    }

    /// The real path of `path` (written as an absolute path on the inspected host).
    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? rootPrefix + path : rootPrefix + "/" + path
    }

    /// Reads a whole text file such as `/proc/loadavg`.
    func text(_ path: String) throws(HostReadError) -> String {
        let bytes = try contents(path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw HostReadError(code: .notText, message: "\(resolve(path)) is not UTF-8 text", errno: nil)
        }
        return text
    }

    /// Reads a whole file as raw bytes (for NUL-separated files such as `/proc/<pid>/cmdline`).
    func contents(_ path: String) throws(HostReadError) -> [UInt8] {
        let fullPath = resolve(path)
        let descriptor = open(fullPath, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.failure(reading: fullPath, errno: errno) }
        defer { close(descriptor) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return result }
            if count < 0 {
                if errno == EINTR { continue }
                throw Self.failure(reading: fullPath, errno: errno)
            }
            result.append(contentsOf: chunk[0..<count])
        }
    }

    /// Whether `path` exists below the root.
    func exists(_ path: String) -> Bool {
        access(resolve(path), F_OK) == 0
    }

    /// The names in directory `path`, without `.` and `..`.
    func directoryEntries(_ path: String) throws(HostReadError) -> [String] {
        let fullPath = resolve(path)
        guard let directory = opendir(fullPath) else { throw Self.failure(reading: fullPath, errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    private static func failure(reading path: String, errno code: Int32) -> HostReadError {
        switch code {
        case ENOENT, ENOTDIR, ESRCH:
            return HostReadError(code: .missing, message: "\(path) does not exist", errno: code)
        case EACCES, EPERM:
            return HostReadError(code: .permissionDenied, message: "\(path) is not readable by this user", errno: code)
        case EOPNOTSUPP:
            return HostReadError(code: .unsupported, message: "the kernel refuses to read \(path)", errno: code)
        default:
            return HostReadError(code: .ioFailure, message: "cannot read \(path)", errno: code)
        }
    }
}
