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
        return RedisError(code: .serverError, message: "Redis error: \(text)", serverErrorKind: kind)
    }

    package static func unexpected(_ reply: RedisReply, expected: String) -> RedisError {
        RedisError(code: .unexpectedReply, message: "unexpected Redis reply \(reply.debugSummary); expected \(expected)")
    }
}
