import CJobqSystem
import Glibc

/// Why a child process could not be started.
public struct ProcessError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure happened, for callers that react differently to each.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// Short identifier, stable across releases.
        public let name: String

        /// The executable does not exist, or was not found on `PATH`.
        public static let executableNotFound = Code(name: "executableNotFound")
        /// The executable exists but cannot be executed (permissions, not a binary or script).
        public static let notExecutable = Code(name: "notExecutable")
        /// The child could not be placed into one of its cgroups.
        public static let cgroupJoinFailed = Code(name: "cgroupJoinFailed")
        /// The child could not change to the requested working directory.
        public static let workingDirectoryFailed = Code(name: "workingDirectoryFailed")
        /// A resource limit (`setrlimit`) could not be applied in the child.
        public static let resourceLimitFailed = Code(name: "resourceLimitFailed")
        /// An argument, environment entry or path contains a NUL byte, or an environment name is invalid.
        public static let invalidArgument = Code(name: "invalidArgument")
        /// Creating pipes, forking, or setting up the child's streams, signals or process group failed.
        public static let spawnFailed = Code(name: "spawnFailed")

        /// The code's name.
        public var description: String { name }
    }

    /// What kind of failure this is.
    public let code: Code
    /// What went wrong and, where it helps, what to do about it.
    public let message: String
    /// The `errno` reported by the failing system call, if one failed.
    public let errno: Int32?

    /// Creates an error; `message` should name the thing that failed.
    public init(code: Code, message: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    /// The message, followed by the symbolic errno and its text when there is one.
    public var description: String {
        guard let errno else { return message }
        return "\(message): \(describeErrno(errno))"
    }
}

/// Describes an `errno` value for people, e.g. `"ENOENT (No such file or directory)"`.
///
/// - Parameter code: an `errno` value.
/// - Returns: the symbolic name followed by the C library's text.
public func describeErrno(_ code: Int32) -> String {
    let text = String(cString: strerror(code))
    guard let name = jobq_errno_name(code) else { return "errno \(code) (\(text))" }
    return "\(String(cString: name)) (\(text))"
}
