/// A systemd time span such as `10s`, `100ms`, `1min 30s` or `infinity`, as `systemctl show` prints them.
public enum SystemdTimeSpan: Sendable, Equatable, Comparable, CustomStringConvertible {
    /// A finite span, in microseconds (systemd's own resolution).
    case finite(microseconds: UInt64)
    /// No limit.
    case infinity

    /// Parses a span the way systemd does: a sequence of numbers with units (`1h 30min`, `1.5s`, `2 weeks`),
    /// a bare number meaning seconds, or `infinity`. Returns nil for anything else.
    public init?(parsing text: String) {
        let trimmed = text.trimmingWhitespace
        if trimmed == "infinity" {
            self = .infinity
            return
        }
        if trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) {
            guard let seconds = Double(trimmed), seconds * Self.second < Double(UInt64.max) else { return nil }
            self = .finite(microseconds: UInt64((seconds * Self.second).rounded()))
            return
        }
        var remaining = Substring(trimmed)
        var total: Double = 0
        var sawComponent = false
        while true {
            remaining = remaining.drop(while: \.isWhitespace)
            if remaining.isEmpty { break }
            let number = remaining.prefix { $0.isNumber || $0 == "." }
            remaining = remaining.dropFirst(number.count).drop(while: \.isWhitespace)
            let unit = remaining.prefix { $0.isLetter }
            remaining = remaining.dropFirst(unit.count)
            guard let value = Double(number), let factor = Self.microsecondsPerUnit[String(unit)] else { return nil }
            total += value * factor
            sawComponent = true
        }
        guard sawComponent, total < Double(UInt64.max) else { return nil }
        self = .finite(microseconds: UInt64(total.rounded()))
    }

    /// The span in seconds; nil for `infinity`.
    public var seconds: Double? {
        switch self {
        case .finite(let microseconds): return Double(microseconds) / 1_000_000
        case .infinity: return nil
        }
    }

    /// Whether this is zero or infinity, the two values with which systemd disables a limit.
    public var disablesLimit: Bool { self == .infinity || self == .finite(microseconds: 0) }

    /// The span formatted the way systemd prints it (`1min 30s`, `100ms`, `infinity`).
    public var description: String {
        guard case .finite(var remaining) = self else { return "infinity" }
        guard remaining > 0 else { return "0" }
        var parts: [String] = []
        for (name, size) in Self.displayUnits where remaining >= size {
            parts.append("\(remaining / size)\(name)")
            remaining %= size
        }
        return parts.joined(separator: " ")
    }

    /// Orders spans by length, with `infinity` longest.
    public static func < (lhs: SystemdTimeSpan, rhs: SystemdTimeSpan) -> Bool {
        switch (lhs, rhs) {
        case let (.finite(left), .finite(right)): return left < right
        case (.finite, .infinity): return true
        case (.infinity, _): return false
        }
    }

    private static let second: Double = 1_000_000

    /// The unit names systemd accepts, with their length in microseconds.
    private static let microsecondsPerUnit: [String: Double] = {
        let groups: [([String], Double)] = [
            (["us", "usec", "µs", "μs"], 1),
            (["ms", "msec"], 1_000),
            (["s", "sec", "second", "seconds"], second),
            (["m", "min", "minute", "minutes"], 60 * second),
            (["h", "hr", "hour", "hours"], 3_600 * second),
            (["d", "day", "days"], 86_400 * second),
            (["w", "week", "weeks"], 604_800 * second),
            (["M", "month", "months"], 2_629_800 * second),
            (["y", "year", "years"], 31_557_600 * second),
        ]
        var table: [String: Double] = [:]
        for (names, factor) in groups {
            for name in names { table[name] = factor }
        }
        return table
    }()

    /// The units systemd prints, largest first.
    private static let displayUnits: [(String, UInt64)] = [
        ("y", 31_557_600_000_000), ("month", 2_629_800_000_000), ("w", 604_800_000_000),
        ("d", 86_400_000_000), ("h", 3_600_000_000), ("min", 60_000_000),
        ("s", 1_000_000), ("ms", 1_000), ("us", 1),
    ]
}
