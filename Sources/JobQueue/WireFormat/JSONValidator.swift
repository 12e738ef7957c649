/// Checks that bytes are one JSON text (RFC 8259) without building any values: fast enough to run
/// on every enqueue, and precise about where a document goes wrong.
///
/// Accepts any JSON value at the top level, surrounded by optional whitespace. Strings must be
/// valid UTF-8 with valid escapes; nesting is limited (a hostile document cannot exhaust the stack);
/// numbers must fit a Double.
struct JSONValidator {
    /// Why a document is not JSON: what was expected, and the byte offset where.
    struct Failure: Error, Equatable, CustomStringConvertible {
        let reason: String
        let offset: Int
        var description: String { "\(reason) at byte \(offset)" }
    }

    /// The deepest nesting of arrays and objects accepted.
    static let maximumDepth = 512

    private let bytes: [UInt8]
    private var index = 0

    /// Validates a whole document.
    static func validate(_ bytes: [UInt8]) throws(Failure) {
        var validator = JSONValidator(bytes: bytes)
        validator.skipWhitespace()
        try validator.value(depth: 0)
        validator.skipWhitespace()
        if validator.index != bytes.count { throw Failure(reason: "unexpected text after the JSON value", offset: validator.index) }
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private func failure(_ reason: String) -> Failure {
        Failure(reason: current == nil ? "unexpected end of input" : reason, offset: index)
    }

    private mutating func value(depth: Int) throws(Failure) {
        guard let byte = current else { throw failure("expected a value") }
        switch byte {
        case UInt8(ascii: "{"): try object(depth: depth + 1)
        case UInt8(ascii: "["): try array(depth: depth + 1)
        case UInt8(ascii: "\""): try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
        default: throw failure("expected a value")
        }
    }

    private mutating func object(depth: Int) throws(Failure) {
        guard depth <= Self.maximumDepth else { throw failure("nested deeper than \(Self.maximumDepth) levels") }
        index += 1
        skipWhitespace()
        if current == UInt8(ascii: "}") { index += 1; return }
        while true {
            guard current == UInt8(ascii: "\"") else { throw failure("expected a member name in quotes") }
            try string()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw failure("expected ':' after a member name") }
            index += 1
            skipWhitespace()
            try value(depth: depth)
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                index += 1
                skipWhitespace()
            } else if current == UInt8(ascii: "}") {
                index += 1
                return
            } else {
                throw failure("expected ',' or '}' in an object")
            }
        }
    }

    private mutating func array(depth: Int) throws(Failure) {
        guard depth <= Self.maximumDepth else { throw failure("nested deeper than \(Self.maximumDepth) levels") }
        index += 1
        skipWhitespace()
        if current == UInt8(ascii: "]") { index += 1; return }
        while true {
            try value(depth: depth)
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                index += 1
                skipWhitespace()
            } else if current == UInt8(ascii: "]") {
                index += 1
                return
            } else {
                throw failure("expected ',' or ']' in an array")
            }
        }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for byte in expected {
            guard current == byte else { throw failure("expected \(word)") }
            index += 1
        }
    }

    private mutating func number() throws(Failure) {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, isDigit(first) else { throw failure("expected a digit") }
        index += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if current == UInt8(ascii: ".") {
            index += 1
            guard let digit = current, isDigit(digit) else { throw failure("expected a digit after '.'") }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard let digit = current, isDigit(digit) else { throw failure("expected a digit in the exponent") }
            skipDigits()
        }
        // Decoders (Foundation, most languages) refuse numbers beyond a Double's range; only long
        // numbers or ones with an exponent can be.
        if index - start > 15 || bytes[start..<index].contains(where: { $0 | 0x20 == UInt8(ascii: "e") }) {
            guard let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)), value.isFinite else {
                throw Failure(reason: "number out of range", offset: start)
            }
        }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while let byte = current, isDigit(byte) { index += 1 }
    }

    private mutating func string() throws(Failure) {
        index += 1
        while let byte = current {
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return
            case UInt8(ascii: "\\"):
                index += 1
                try escape()
            case 0x00..<0x20:
                throw failure("control character in a string (escape it)")
            case 0x80...:
                try utf8Sequence()
            default:
                index += 1
            }
        }
        throw failure("unterminated string")
    }

    private mutating func escape() throws(Failure) {
        guard let byte = current else { throw failure("unterminated escape") }
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
             UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            index += 1
        case UInt8(ascii: "u"):
            let start = index - 1
            let unit = try hexQuad()
            switch unit {
            case 0xD800...0xDBFF:
                // A high surrogate must be followed by an escaped low surrogate: together one character.
                guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                    throw Failure(reason: "unpaired UTF-16 surrogate escape", offset: start)
                }
                index += 1
                guard (0xDC00...0xDFFF).contains(try hexQuad()) else {
                    throw Failure(reason: "unpaired UTF-16 surrogate escape", offset: start)
                }
            case 0xDC00...0xDFFF:
                throw Failure(reason: "unpaired UTF-16 surrogate escape", offset: start)
            default:
                break
            }
        default:
            throw failure("invalid escape")
        }
    }

    /// Reads `uXXXX` (the `u` and four hex digits) and returns the code unit.
    private mutating func hexQuad() throws(Failure) -> UInt32 {
        index += 1
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let hex = current, isHexDigit(hex) else { throw failure("expected four hex digits after \\u") }
            value = value << 4 | UInt32(hex <= UInt8(ascii: "9") ? hex - UInt8(ascii: "0") : (hex | 0x20) - UInt8(ascii: "a") + 10)
            index += 1
        }
        return value
    }

    private func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }

    /// One multi-byte UTF-8 character: no overlong forms, no surrogates, nothing above U+10FFFF.
    private mutating func utf8Sequence() throws(Failure) {
        let lead = bytes[index]
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw failure("invalid UTF-8")
        }
        index += 1
        for position in 1..<length {
            guard let next = current else { throw failure("invalid UTF-8") }
            let range = position == 1 ? low...high : 0x80...0xBF
            guard range.contains(next) else { throw failure("invalid UTF-8") }
            index += 1
        }
    }
}
