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

    /// A wait written precisely enough to plan by: `4.2s` (one decimal under 10 s), `42s`,
    /// `5m 3s`; `0s` when nothing is left.
    public static func wait(_ milliseconds: Int64) -> String {
        guard milliseconds > 0 else { return "0s" }
        if milliseconds < 10_000 { return (Double(milliseconds) / 1000).fixed(1) + "s" }
        return duration(milliseconds)
    }

    /// `1 job`, `3 jobs`.
    public static func count(_ value: Int, _ noun: String, plural: String? = nil) -> String {
        "\(value) " + (value == 1 ? noun : plural ?? noun + "s")
    }

    /// A rate per minute with one decimal: `12.5/min`.
    public static func perMinute(_ value: Double) -> String {
        String(format: "%.1f/min", value)
    }

    /// Text that must stay on one line (a table row, a log line): line breaks and tabs are written
    /// as `\n`, `\r` and `\t`, and blanks at either end are dropped. Text longer than `limit`
    /// characters keeps its start and its end (where a program's last words usually are), joined
    /// by ` … `.
    public static func oneLine(_ text: String, limit: Int? = nil) -> String {
        var escaped = ""
        for character in text.trimmingCharacters(in: .whitespacesAndNewlines) {
            switch character {
            case "\n", "\r\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            default: escaped.append(character)
            }
        }
        guard let limit, escaped.count > limit, limit >= 10 else { return escaped }
        let head = limit / 3
        return escaped.prefix(head) + " … " + escaped.suffix(limit - head - 3)
    }

    /// Text shown after a label: every line after the first is indented by `width` spaces, so a
    /// multi-line value stays in its column.
    public static func indented(_ text: String, by width: Int) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .joined(separator: "\n" + String(repeating: " ", count: width))
    }
}
