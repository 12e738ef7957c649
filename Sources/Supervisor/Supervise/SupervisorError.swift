/// Why the supervisor could not start.
public struct SupervisorError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure happened, for callers that react differently to each.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// Short identifier, stable across releases.
        public let name: String

        /// No usable cgroup to cap workers with, and running without caps was not allowed.
        public static let noCgroup = Code(name: "noCgroup")
        /// Redis could not be reached or answered with an error at start.
        public static let redis = Code(name: "redis")
        /// Redis may evict keys (`maxmemory-policy` other than `noeviction`) and the supervisor's
        /// connection refuses to run on it (see `RedisConfiguration.evictionCheck`).
        public static let evictionPolicy = Code(name: "evictionPolicy")
        /// The configuration cannot work (no worker command, a cap out of range).
        public static let invalidConfiguration = Code(name: "invalidConfiguration")

        /// The code's name.
        public var description: String { name }
    }

    /// What kind of failure this is.
    public let code: Code
    /// What went wrong and what to do about it.
    public let message: String
    /// The underlying error (a ``CgroupError``, a `JobQueueError`), if any.
    public let cause: (any Error)?

    /// Creates an error.
    public init(code: Code, message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The message.
    public var description: String { message }
}
