import Foundation

/// Byte sizes written the way operators write them: `512K`, `256M`, `1G`, `1.5G`, `0`; a bare
/// number is bytes. Units are powers of 1024 and may be followed by `B` or `iB` (`256MiB`).
public enum ByteSizeText {
    /// Parses a size.
    /// - Parameter text: e.g. `256M`.
    /// - Returns: the size in bytes.
    /// - Throws: ``UnitParseError`` with code `invalidSize`.
    public static func parse(_ text: String) throws(UnitParseError) -> UInt64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let number = trimmed.prefix { $0.isNumber || $0 == "." }
        var unit = trimmed.dropFirst(number.count).uppercased()
        if unit.hasSuffix("IB") { unit.removeLast(2) } else if unit.hasSuffix("B") { unit.removeLast() }
        guard let value = Double(number), value.isFinite, value >= 0, let shift = shifts[unit] else {
            throw UnitParseError(code: .invalidSize, message: "'\(text)' is not a size: use e.g. 512K, 256M, 1G")
        }
        let bytes = (value * Double(UInt64(1) << shift)).rounded()
        guard bytes < Double(UInt64.max) else {
            throw UnitParseError(code: .invalidSize, message: "'\(text)' is too large a size")
        }
        return UInt64(bytes)
    }

    /// Formats a size compactly in the largest unit that keeps it whole, in the form ``parse(_:)``
    /// reads: `256M`, `1G`, `1536K`, `100`.
    public static func format(_ bytes: UInt64) -> String {
        for (unit, shift) in [("T", 40), ("G", 30), ("M", 20), ("K", 10)] where bytes >= UInt64(1) << shift {
            if bytes % (UInt64(1) << shift) == 0 { return "\(bytes >> shift)\(unit)" }
        }
        return String(bytes)
    }

    /// Formats a size for people, in binary units with one decimal below 100: `512 B`, `216 MiB`,
    /// `3.8 GiB`.
    public static func readable(_ bytes: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        return "\(value.fixed(value < 100 ? 1 : 0)) \(units[unit])"
    }

    /// Formats a size in MiB with one decimal, for columns that compare sizes: `52.3 MiB`.
    public static func mebibytes(_ bytes: Int64) -> String {
        String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }

    private static let shifts: [String: UInt64] = ["": 0, "K": 10, "M": 20, "G": 30, "T": 40]
}
