import Foundation

/// Durations written the way operators write them: `250ms`, `30s`, `5m`, `1h`, `2d`, `1h30m`;
/// a bare number means seconds.
public enum DurationText {
    /// Parses a duration.
    /// - Parameter text: e.g. `30s` or `1h30m`.
    /// - Throws: ``UnitParseError`` with code `invalidDuration`, naming the text, also for a
    ///   duration over ``maxMilliseconds``.
    public static func parse(_ text: String) throws(UnitParseError) -> Duration {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw invalid(text) }
        if let seconds = Double(trimmed), seconds >= 0, seconds.isFinite {
            return try bounded(seconds * 1000, text)
        }
        var total = 0.0
        var rest = Substring(trimmed)
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count)
            guard let value = Double(number), value >= 0, let scale = unitMilliseconds[String(unit).lowercased()] else {
                throw invalid(text)
            }
            total += (value * scale).rounded()
        }
        return try bounded(total, text)
    }

    /// The longest duration read: 2^53 ms (about 285,000 years), the most milliseconds a number in
    /// a Redis script (a double) holds exactly, and far from overflowing an `Int64`.
    public static let maxMilliseconds: Int64 = 1 << 53

    private static func bounded(_ milliseconds: Double, _ text: String) throws(UnitParseError) -> Duration {
        guard milliseconds.isFinite, milliseconds <= Double(maxMilliseconds) else {
            throw UnitParseError(code: .invalidDuration, message: "'\(text)' is too long a duration (at most about 285,000 years)")
        }
        return .milliseconds(Int64(milliseconds.rounded()))
    }

    /// Formats a duration compactly: `250ms`, `30s`, `5m`, `1h 30m`, `2d 3h` (at most the two
    /// largest units, rounded down).
    public static func format(_ duration: Duration) -> String {
        let (wholeSeconds, attoseconds) = duration.components
        let milliseconds = wholeSeconds * 1000 + attoseconds / 1_000_000_000_000_000
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

    /// Formats a length of time for people, in the largest unit that keeps it readable:
    /// `4.5 seconds`, `90 seconds`, `12 minutes`, `40.4 hours`, `3.0 days`.
    /// - Parameter seconds: the length in seconds.
    public static func readable(seconds: Double) -> String {
        switch seconds {
        case ..<10: return "\(seconds.fixed(1)) seconds"
        case ..<120: return "\(Int(seconds.rounded())) seconds"
        case ..<7_200: return "\(Int((seconds / 60).rounded())) minutes"
        case ..<172_800: return "\((seconds / 3_600).fixed(1)) hours"
        default: return "\((seconds / 86_400).fixed(1)) days"
        }
    }

    private static let unitMilliseconds: [String: Double] = [
        "ms": 1, "s": 1000, "sec": 1000, "m": 60_000, "min": 60_000, "h": 3_600_000, "d": 86_400_000,
    ]

    private static func invalid(_ text: String) -> UnitParseError {
        UnitParseError(code: .invalidDuration, message: "'\(text)' is not a duration: use e.g. 250ms, 30s, 5m, 1h, 1h30m")
    }
}
