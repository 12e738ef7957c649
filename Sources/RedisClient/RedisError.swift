/// An error from the Redis layer: either the transport failed (connection refused, lost, timed out)
/// or the server answered a command with an error reply (`WRONGTYPE`, `NOSCRIPT`, `NOAUTH`, ...).
///
/// Transport errors mean the connection was closed and will be re-opened on the next command;
/// server errors leave the connection usable.
public struct RedisError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// The URL or configuration is not usable (bad scheme, port, database number, password file).
        public static let invalidConfiguration = Code(name: "invalidConfiguration")
        /// The TCP or Unix-socket connection could not be opened.
        public static let connectionFailed = Code(name: "connectionFailed")
        /// An open connection failed while sending or reading (reset, EOF, protocol error).
        public static let connectionLost = Code(name: "connectionLost")
        /// The server did not answer within the read timeout.
        public static let timeout = Code(name: "timeout")
        /// AUTH was refused, or the server wants a password that was not given.
        public static let authenticationFailed = Code(name: "authenticationFailed")
        /// The server answered with an error reply; `serverErrorKind` holds its first word.
        public static let serverError = Code(name: "serverError")
        /// The reply did not have the shape the caller expected.
        public static let unexpectedReply = Code(name: "unexpectedReply")
        /// The server cannot serve writes right now, though it answered: it is a replica after a
        /// failover (`READONLY`), still loading its data (`LOADING`), cut off from its master
        /// (`MASTERDOWN`), unblocked by a role change (`UNBLOCKED`), short of the replicas
        /// `min-replicas-to-write` asks for (`NOREPLICAS`), or its cluster is down or resharding
        /// (`CLUSTERDOWN`, `TRYAGAIN`). The connection is closed, so the next command
        /// finds the current master again; retrying with backoff is expected to succeed.
        public static let unavailable = Code(name: "unavailable")
        /// The server is at `maxmemory` and refused a write (`OOM command not allowed`). Nothing was
        /// written; retrying after memory is freed succeeds.
        public static let outOfMemory = Code(name: "outOfMemory")
        /// The server may evict keys when it is full (its `maxmemory-policy` is not `noeviction`),
        /// so jobs could vanish without a trace; the connection refused to run on it (see
        /// ``RedisConfiguration/evictionCheck``). Not retryable: only a change of the server's
        /// setting, or of the check, makes it go away.
        public static let evictionPolicy = Code(name: "evictionPolicy")
    }

    /// The kind of failure.
    public var code: Code
    /// A message a person can act on. Never contains a password.
    public var message: String
    /// For `.serverError`: the error prefix the server sent, such as `WRONGTYPE` or `NOSCRIPT`.
    public var serverErrorKind: String?

    /// Creates an error.
    public init(code: Code, message: String, serverErrorKind: String? = nil) {
        self.code = code
        self.message = message
        self.serverErrorKind = serverErrorKind
    }

    /// True when the connection itself failed (as opposed to an error reply): retrying after a
    /// reconnect may succeed.
    public var isTransport: Bool {
        code == .connectionFailed || code == .connectionLost || code == .timeout
    }

    /// True when the same command may succeed later without anything changing on this side: a
    /// transport failure, a server that is failing over or loading (`.unavailable`), or one that
    /// is out of memory (`.outOfMemory`). Workers back off and retry these; nothing was written.
    public var isRetryable: Bool {
        isTransport || code == .unavailable || code == .outOfMemory
    }

    public var description: String { message }

    package static func server(_ text: String) -> RedisError {
        let kind = text.split(separator: " ", maxSplits: 1).first.map(String.init)
        if kind == "NOAUTH" {
            return RedisError(
                code: .authenticationFailed,
                message: "Redis refused authentication: \(text) (Redis wants a password: give it in the URL, in JOBQ_REDIS_PASSWORD, or in a file named by JOBQ_REDIS_PASSWORD_FILE)",
                serverErrorKind: kind)
        }
        if kind == "WRONGPASS" {
            return RedisError(code: .authenticationFailed, message: "Redis refused authentication: \(text)", serverErrorKind: kind)
        }
        if let kind, unavailableKinds.contains(kind) {
            return RedisError(code: .unavailable, message: "Redis cannot serve writes now: \(text)", serverErrorKind: kind)
        }
        if kind == "OOM" {
            return RedisError(
                code: .outOfMemory,
                message: "Redis is out of memory and refused the write: \(text) (raise maxmemory or free memory; nothing was written)",
                serverErrorKind: kind)
        }
        return RedisError(code: .serverError, message: "Redis error: \(text)", serverErrorKind: kind)
    }

    /// Error-reply prefixes that mean the server is failing over, loading or resharding.
    private static let unavailableKinds: Set<String> = ["READONLY", "LOADING", "MASTERDOWN", "UNBLOCKED", "NOREPLICAS", "CLUSTERDOWN", "TRYAGAIN"]

    package static func unexpected(_ reply: RedisReply, expected: String) -> RedisError {
        RedisError(code: .unexpectedReply, message: "unexpected Redis reply \(reply.debugSummary); expected \(expected)")
    }
}
