import Foundation

/// Durations written the way operators write them: `250ms`, `30s`, `5m`, `1h`, `2d`, `1h30m`;
/// a bare number means seconds.
public enum DurationText {
    /// Parses a duration.
    /// - Throws: ``ParseError`` naming the text.
    public static func parse(_ text: String) throws -> Duration {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw ParseError(text: text) }
        if let seconds = Double(trimmed), seconds >= 0, seconds.isFinite {
            return .milliseconds(Int64((seconds * 1000).rounded()))
        }
        var total: Duration = .zero
        var rest = Substring(trimmed)
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count)
            guard let value = Double(number), value >= 0, let scale = unitMilliseconds[String(unit).lowercased()] else {
                throw ParseError(text: text)
            }
            total += .milliseconds(Int64((value * scale).rounded()))
        }
        return total
    }

    /// Formats a duration compactly: `250ms`, `30s`, `5m`, `1h 30m`, `2d 3h`.
    public static func format(_ duration: Duration) -> String {
        let milliseconds = duration.milliseconds
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        var seconds = milliseconds / 1000
        var parts: [String] = []
        for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60), ("s", 1)] where seconds >= size {
            parts.append("\(seconds / size)\(unit)")
            seconds %= size
            if parts.count == 2 { break }
        }
        return parts.joined(separator: " ")
    }

    private static let unitMilliseconds: [String: Double] = [
        "ms": 1, "s": 1000, "sec": 1000, "m": 60_000, "min": 60_000, "h": 3_600_000, "d": 86_400_000,
    ]

    /// A duration that could not be parsed.
    public struct ParseError: Error, CustomStringConvertible {
        /// The text given.
        public let text: String
        public var description: String { "'\(text)' is not a duration: use e.g. 250ms, 30s, 5m, 1h, 1h30m" }
    }
}
