import RedisClient

/// A failure to store or read documents of a knowledge base.
public struct DocumentStoreError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure happened.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The knowledge-base name is empty, too long, or has characters outside `A-Z a-z 0-9 . _ -`.
        case invalidKnowledgeBase
        /// Redis failed or answered with an error; ``DocumentStoreError/redisError`` holds the details.
        case redis
        /// A script answered in a shape this version does not understand.
        case unexpectedReply
        /// A stored document or chunk is not in the shape this version writes (edited by hand, or
        /// written by another program under the same keys).
        case corruptRecord
    }

    /// What kind of failure happened.
    public var code: Code
    /// A sentence a person can act on.
    public var message: String
    /// The underlying Redis error, for ``Code/redis``.
    public var redisError: RedisError?

    /// Creates an error.
    /// - Parameters:
    ///   - code: What kind of failure happened.
    ///   - message: A sentence a person can act on.
    ///   - redisError: The underlying Redis error, if one caused this.
    public init(code: Code, message: String, redisError: RedisError? = nil) {
        self.code = code
        self.message = message
        self.redisError = redisError
    }

    /// The code and message on one line.
    public var description: String { "\(code.rawValue): \(message)" }
}
