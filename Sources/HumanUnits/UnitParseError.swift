/// Text that is not the duration, size, CPU share or range it should be, with the form expected.
public struct UnitParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of value was expected.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// Short identifier, stable across releases.
        public let name: String

        /// Not a duration such as `30s`.
        public static let invalidDuration = Code(name: "invalidDuration")
        /// Not a byte size such as `256M`.
        public static let invalidSize = Code(name: "invalidSize")
        /// Not a CPU share such as `25%`.
        public static let invalidPercentage = Code(name: "invalidPercentage")
        /// Not a duration range such as `1s..5m`.
        public static let invalidRange = Code(name: "invalidRange")

        /// The code's name.
        public var description: String { name }
    }

    /// What kind of value was expected.
    public let code: Code
    /// The text given, what is wrong with it and an example of what works.
    public let message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
