/// Duration ranges written `MIN..MAX`, e.g. `1s..5m` or `50ms..200ms`.
public enum DurationRangeText {
    /// Parses a range of durations.
    /// - Parameter text: e.g. `1s..5m`.
    /// - Returns: the bounds, with `min` above zero and not above `max`.
    /// - Throws: ``UnitParseError`` with code `invalidRange`.
    public static func parse(_ text: String) throws(UnitParseError) -> (min: Duration, max: Duration) {
        let parts = text.components(separatedBy: "..")
        guard parts.count == 2, let low = try? DurationText.parse(parts[0]), let high = try? DurationText.parse(parts[1]) else {
            throw UnitParseError(code: .invalidRange, message: "'\(text)' is not a duration range: use MIN..MAX, e.g. 1s..5m")
        }
        guard low > .zero, low <= high else {
            throw UnitParseError(
                code: .invalidRange,
                message: "'\(text)': the minimum must be above 0 and not above the maximum, e.g. 1s..5m"
            )
        }
        return (low, high)
    }
}
