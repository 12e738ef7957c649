import Foundation

/// Counts, rates and elapsed times written for people, as verdicts and stats show them.
public enum HumanText {
    /// `12s`, `3m 5s`, `2h 10m` for a number of ms (negative counts as zero).
    public static func duration(_ milliseconds: Int64) -> String {
        DurationText.format(.milliseconds(max(0, milliseconds)))
    }

    /// `12s ago` for a time (ms since the epoch) before `now`; `just now` under a second.
    public static func ago(_ at: Int64, now: Int64) -> String {
        now - at < 1000 ? "just now" : duration(now - at) + " ago"
    }

    /// `1 job`, `3 jobs`.
    public static func count(_ value: Int, _ noun: String, plural: String? = nil) -> String {
        "\(value) " + (value == 1 ? noun : plural ?? noun + "s")
    }

    /// A rate per minute with one decimal: `12.5/min`.
    public static func perMinute(_ value: Double) -> String {
        String(format: "%.1f/min", value)
    }
}
