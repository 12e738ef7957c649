import Foundation

/// Byte sizes written the way operators write them: `512K`, `256M`, `1G`, `1.5G`, `0`; a bare
/// number is bytes. Units are powers of 1024 and may be followed by `B` or `iB` (`256MiB`).
public enum ByteSizeText {
    /// Parses a size.
    /// - Parameter text: e.g. `256M`.
    /// - Returns: the size in bytes.
    /// - Throws: ``SupervisorOptionError`` with code `invalidSize`.
    public static func parse(_ text: String) throws(SupervisorOptionError) -> UInt64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let number = trimmed.prefix { $0.isNumber || $0 == "." }
        var unit = trimmed.dropFirst(number.count).uppercased()
        if unit.hasSuffix("IB") { unit.removeLast(2) } else if unit.hasSuffix("B") { unit.removeLast() }
        guard let value = Double(number), value.isFinite, value >= 0, let shift = shifts[unit] else {
            throw SupervisorOptionError(code: .invalidSize, message: "'\(text)' is not a size: use e.g. 512K, 256M, 1G")
        }
        let bytes = (value * Double(UInt64(1) << shift)).rounded()
        guard bytes < Double(UInt64.max) else {
            throw SupervisorOptionError(code: .invalidSize, message: "'\(text)' is too large a size")
        }
        return UInt64(bytes)
    }

    /// Formats a size compactly in the largest unit that keeps it whole: `256M`, `1G`, `1536K`, `100`.
    public static func format(_ bytes: UInt64) -> String {
        for (unit, shift) in [("T", 40), ("G", 30), ("M", 20), ("K", 10)] where bytes >= UInt64(1) << shift {
            if bytes % (UInt64(1) << shift) == 0 { return "\(bytes >> shift)\(unit)" }
        }
        return String(bytes)
    }

    private static let shifts: [String: UInt64] = ["": 0, "K": 10, "M": 20, "G": 30, "T": 40]
}
