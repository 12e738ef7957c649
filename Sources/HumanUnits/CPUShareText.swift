import Foundation

/// CPU shares written as percentages of one CPU: `25%` is a quarter of one CPU, `150%` one and a
/// half CPUs. The `%` sign may be left out.
public enum CPUShareText {
    /// Parses a percentage of one CPU.
    /// - Parameter text: e.g. `25%`.
    /// - Returns: the fraction of one CPU, e.g. 0.25.
    /// - Throws: ``UnitParseError`` with code `invalidPercentage` for anything not above 0.
    public static func parse(_ text: String) throws(UnitParseError) -> Double {
        var trimmed = Substring(text.trimmingCharacters(in: .whitespaces))
        if trimmed.hasSuffix("%") { trimmed = trimmed.dropLast() }
        guard let percent = Double(trimmed), percent.isFinite, percent > 0, percent <= 102_400 else {
            throw UnitParseError(
                code: .invalidPercentage,
                message: "'\(text)' is not a CPU share: use a percentage of one CPU above 0, e.g. 25% (150% is one and a half CPUs)"
            )
        }
        return percent / 100
    }

    /// Formats a fraction of one CPU as a percentage, in the form ``parse(_:)`` reads: `25%`, `12.5%`.
    public static func format(_ fraction: Double) -> String {
        let percent = fraction * 100
        return percent == percent.rounded() ? "\(Int(percent))%" : "\(percent)%"
    }
}
