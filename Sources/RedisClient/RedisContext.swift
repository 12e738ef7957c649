import CHiredis
import Foundation

/// The one place that touches hiredis: a single open `redisContext`.
///
/// Not thread-safe (hiredis contexts are not); ``RedisConnection`` serialises access. After any
/// I/O error hiredis marks the context as failed for good ("sticky" errors), so the caller must
/// discard it and open a new one.
final class RedisContext {
    private let context: UnsafeMutablePointer<redisContext>

    /// Opens a connection; does not authenticate or select a database.
    init(endpoint: RedisConfiguration.Endpoint, connectTimeout: Duration) throws {
        _ = Self.ignoreSIGPIPE
        let timeout = Self.timeval(connectTimeout)
        let opened: UnsafeMutablePointer<redisContext>?
        let target: String
        switch endpoint {
        case .tcp(let host, let port):
            opened = redisConnectWithTimeout(host, Int32(port), timeout)
            target = "\(host):\(port)"
        case .unix(let path):
            opened = redisConnectUnixWithTimeout(path, timeout)
            target = path
        }
        guard let opened else {
            throw RedisError(code: .connectionFailed, message: "cannot connect to Redis at \(target): out of memory")
        }
        if opened.pointee.err != 0 {
            let reason = Self.errorText(opened)
            redisFree(opened)
            throw RedisError(code: .connectionFailed, message: "cannot connect to Redis at \(target): \(reason)")
        }
        context = opened
    }

    deinit { redisFree(context) }

    /// Sets the socket read/write timeout; a reply slower than this fails with `.timeout`.
    func setTimeout(_ duration: Duration) {
        _ = redisSetTimeout(context, Self.timeval(duration))
    }

    /// Turns on TCP keepalive (a no-op for Unix sockets).
    func enableKeepAlive() {
        _ = redisEnableKeepAlive(context)
    }

    /// Sends one command and reads its reply. Error replies come back as `.error`.
    func command(_ arguments: [RedisArgument]) throws -> RedisReply {
        try pipeline([arguments])[0]
    }

    /// Queues commands in the output buffer, flushes them together and reads every reply:
    /// one round trip for the batch.
    func pipeline(_ commands: [[RedisArgument]]) throws -> [RedisReply] {
        var encoded = RESPCommands()
        for arguments in commands { encoded.append(arguments) }
        try append(encoded)
        try flush()
        return try readReplies(commands.count)
    }

    /// Queues encoded commands in the output buffer without sending them.
    func append(_ commands: borrowing RESPCommands) throws {
        let status = commands.withBytes { buffer in
            buffer.withMemoryRebound(to: CChar.self) { redisAppendFormattedCommand(context, $0.baseAddress, $0.count) }
        }
        if status != REDIS_OK { throw transportError() }
    }

    /// Writes the whole output buffer to the socket, without reading: so that several servers can
    /// work on their batches at once before any reply is read.
    func flush() throws {
        var done: Int32 = 0
        while done == 0 {
            if redisBufferWrite(context, &done) != REDIS_OK { throw transportError() }
        }
    }

    /// Reads the next `count` replies.
    func readReplies(_ count: Int) throws -> [RedisReply] {
        var replies: [RedisReply] = []
        replies.reserveCapacity(count)
        for _ in 0..<count {
            var raw: UnsafeMutableRawPointer?
            if redisGetReply(context, &raw) != REDIS_OK { throw transportError() }
            replies.append(try takeReply(raw))
        }
        return replies
    }

    private func takeReply(_ raw: UnsafeMutableRawPointer?) throws -> RedisReply {
        guard let raw else { throw transportError() }
        let reply = raw.assumingMemoryBound(to: redisReply.self)
        defer { freeReplyObject(raw) }
        return Self.convert(reply)
    }

    private func transportError() -> RedisError {
        let text = Self.errorText(context)
        switch context.pointee.err {
        case REDIS_ERR_IO where errno == EAGAIN || errno == EWOULDBLOCK || text.contains("temporarily unavailable"):
            return RedisError(code: .timeout, message: "Redis did not answer in time (\(text))")
        case REDIS_ERR_EOF:
            return RedisError(code: .connectionLost, message: "Redis closed the connection (\(text))")
        default:
            return RedisError(code: .connectionLost, message: "connection to Redis failed: \(text)")
        }
    }

    private static func convert(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let node = reply.pointee
        switch node.type {
        case REDIS_REPLY_STRING:
            return .bulk(bytes(node.str, node.len))
        case REDIS_REPLY_STATUS:
            return .status(String(decoding: bytes(node.str, node.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: bytes(node.str, node.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .integer(node.integer)
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(node.elements)
            for index in 0..<node.elements {
                if let element = node.element[index] { elements.append(convert(element)) } else { elements.append(.null) }
            }
            return .array(elements)
        default:
            return .null
        }
    }

    private static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, _ count: Int) -> [UInt8] {
        guard let pointer, count > 0 else { return [] }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: count) { Array(UnsafeBufferPointer(start: $0, count: count)) }
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    private static func timeval(_ duration: Duration) -> Glibc.timeval {
        let (seconds, attoseconds) = duration.components
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }

    /// A write to a socket the server closed must fail with EPIPE, not kill the process.
    private static let ignoreSIGPIPE: Void = {
        signal(SIGPIPE, SIG_IGN)
    }()
}

/// One argument of a Redis command: binary-safe bytes.
public struct RedisArgument: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    /// The bytes sent to the server.
    public let bytes: [UInt8]

    /// A text argument, sent as UTF-8.
    public init(_ text: String) { bytes = Array(text.utf8) }
    /// A binary argument.
    public init(bytes: [UInt8]) { self.bytes = bytes }
    /// A decimal integer argument.
    public init(_ value: Int) {
        if value >= 0, value < Self.smallIntegers.count {
            self = Self.smallIntegers[value]
        } else {
            self.init(digitsOf: value)
        }
    }

    /// The arguments of 0 to 99, shared: key counts, attempt limits and zero delays are small, and
    /// would otherwise take an allocation each on every call.
    private static let smallIntegers = (0..<100).map { RedisArgument(digitsOf: $0) }

    /// `value` in decimal, written straight into the argument's bytes: no String in between.
    private init(digitsOf value: Int) {
        var count = value < 0 ? 2 : 1
        var rest = value.magnitude
        while rest >= 10 {
            count += 1
            rest /= 10
        }
        bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var rest = value.magnitude
            var position = count
            repeat {
                position -= 1
                buffer[position] = UInt8(truncatingIfNeeded: rest % 10) &+ UInt8(ascii: "0")
                rest /= 10
            } while rest > 0
            if value < 0 { buffer[0] = UInt8(ascii: "-") }
            initialized = count
        }
    }
    public init(stringLiteral value: String) { self.init(value) }
    public init(integerLiteral value: Int) { self.init(value) }
}
