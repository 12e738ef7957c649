/// A validated queue name: 1 to 100 characters from `A-Z a-z 0-9 . _ -`.
///
/// The name becomes a Redis hash tag (`{name}`) in every key of the queue, so braces, colons,
/// spaces and control characters are refused.
public struct QueueName: Sendable, Hashable, CustomStringConvertible, Codable {
    /// The name as given.
    public let rawValue: String

    /// Validates a queue name.
    /// - Throws: ``JobQueueError`` `.invalidQueueName` with the reason.
    public init(_ rawValue: String) throws {
        guard !rawValue.isEmpty else {
            throw JobQueueError(code: .invalidQueueName, message: "queue name is empty")
        }
        guard rawValue.utf8.count <= 100 else {
            throw JobQueueError(code: .invalidQueueName, message: "queue name is longer than 100 characters")
        }
        let allowed = rawValue.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "-": return true
            default: return false
            }
        }
        guard allowed else {
            throw JobQueueError(code: .invalidQueueName, message: "invalid queue name '\(rawValue.prefix(100))': use only letters, digits, '.', '_' and '-'")
        }
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        try self.init(decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
