import Processes

/// Why a cgroup could not be found, created, limited, emptied or removed.
public struct CgroupError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure happened, for callers that react differently to each.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// Short identifier, stable across releases.
        public let name: String

        /// No cgroup filesystem is mounted where one was expected, or this process's own cgroup is not in it.
        public static let notMounted = Code(name: "notMounted")
        /// A controller needed for the requested limits is missing, not delegated, or not writable.
        public static let controllerUnavailable = Code(name: "controllerUnavailable")
        /// Controllers cannot be enabled for child cgroups because the cgroup still holds processes.
        public static let notDelegated = Code(name: "notDelegated")
        /// A limit value is out of range.
        public static let invalidLimits = Code(name: "invalidLimits")
        /// A cgroup name is empty, contains a slash, or is reserved by cgroupfs.
        public static let invalidName = Code(name: "invalidName")
        /// A cgroup directory could not be created.
        public static let createFailed = Code(name: "createFailed")
        /// A cgroup file could not be read.
        public static let readFailed = Code(name: "readFailed")
        /// A cgroup file could not be written.
        public static let writeFailed = Code(name: "writeFailed")
        /// A worker cgroup of that name already holds processes (a previous worker still runs).
        public static let busy = Code(name: "busy")
        /// The cgroup still holds processes, so it cannot be removed.
        public static let notEmpty = Code(name: "notEmpty")
        /// Removing the cgroup directory failed for another reason.
        public static let removeFailed = Code(name: "removeFailed")
        /// Processes were still in the cgroup when the time allowed ran out.
        public static let timedOut = Code(name: "timedOut")

        /// The code's name.
        public var description: String { name }
    }

    /// What to do when the supervisor cannot manage cgroups, appended to the messages that need it.
    public static let remedy =
        "run the supervisor as root, or as a systemd service with Delegate=yes, or pass --no-cgroup to run workers without caps"

    /// What kind of failure this is.
    public let code: Code
    /// What went wrong, naming the path, and what to do about it.
    public let message: String
    /// The `errno` of the failing system call, if one failed.
    public let errno: Int32?

    /// Creates an error; `message` should name the path that failed.
    public init(code: Code, message: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    /// The message with the symbolic errno and its text when there is one.
    public var description: String {
        guard let errno else { return message }
        return "\(message) (\(describeErrno(errno)))"
    }
}
