import Foundation
import HumanUnits

/// Small pieces of wording shared by the verdicts and the text rendering of statistics.
enum StatsWording {
    /// `12s`, `3m 5s`, `2h 10m` for a number of ms (negative counts as zero).
    static func duration(_ milliseconds: Int64) -> String {
        DurationText.format(.milliseconds(max(0, milliseconds)))
    }

    /// `12s ago` for a time (ms since the epoch) before `now`; `just now` under a second.
    static func ago(_ at: Int64, now: Int64) -> String {
        now - at < 1000 ? "just now" : duration(now - at) + " ago"
    }

    /// `1 job`, `3 jobs`.
    static func count(_ value: Int, _ noun: String, plural: String? = nil) -> String {
        "\(value) " + (value == 1 ? noun : plural ?? noun + "s")
    }

    /// A rate per minute with one decimal: `12.5/min`.
    static func perMinute(_ value: Double) -> String {
        String(format: "%.1f/min", value)
    }

    /// `MiB` with one decimal for byte counts: `52.3 MiB`.
    static func mebibytes(_ bytes: Int64) -> String {
        String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }

    /// Greedy word wrap: the first line starts with `indent`, the others with `continuation`; a
    /// word longer than a line stays whole.
    static func wrap(_ text: String, width: Int, indent: String, continuation: String) -> [String] {
        var lines: [String] = []
        var current = indent
        var empty = true
        for word in text.split(separator: " ") {
            if !empty && current.count + 1 + word.count > width {
                lines.append(current)
                current = continuation
                empty = true
            }
            current += (empty ? "" : " ") + word
            empty = false
        }
        lines.append(current)
        return lines
    }
}
