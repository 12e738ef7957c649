/// One reply from Redis, decoded from RESP2.
///
/// Error replies are thrown as ``RedisError`` by single commands; they appear as ``error(_:)`` only
/// inside pipelines and arrays, where one failed command must not hide the others' results.
public enum RedisReply: Sendable, Equatable {
    /// A simple status such as `OK`.
    case status(String)
    /// An integer reply.
    case integer(Int64)
    /// A bulk string, as raw bytes (Redis strings are binary-safe).
    case bulk([UInt8])
    /// The nil reply.
    case null
    /// A multi-bulk reply.
    case array([RedisReply])
    /// An error reply inside a pipeline or an array.
    case error(String)

    /// The reply as text: bulk strings decoded as UTF-8 (invalid bytes replaced), statuses as is,
    /// integers in decimal; `nil` for null, arrays and errors.
    public var string: String? {
        switch self {
        case .bulk(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .status(let text): return text
        case .integer(let value): return String(value)
        default: return nil
        }
    }

    /// The reply as an integer: integer replies, and bulk strings holding a decimal number.
    public var integer: Int64? {
        switch self {
        case .integer(let value): return value
        case .bulk(let bytes): return Int64(String(decoding: bytes, as: UTF8.self))
        default: return nil
        }
    }

    /// The elements of an array reply; `nil` otherwise.
    public var array: [RedisReply]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// True for the nil reply.
    public var isNull: Bool { self == .null }

    /// A short rendering for error messages; long strings are cut.
    package var debugSummary: String {
        switch self {
        case .status(let text): return "status \(text)"
        case .integer(let value): return "integer \(value)"
        case .bulk(let bytes): return "bulk(\(bytes.count) bytes)"
        case .null: return "nil"
        case .array(let elements): return "array(\(elements.count))"
        case .error(let text): return "error \(text.prefix(80))"
        }
    }

    /// Throws the error of an `.error` reply, otherwise returns the reply.
    package func throwingServerError() throws -> RedisReply {
        if case .error(let text) = self { throw RedisError.server(text) }
        return self
    }
}
