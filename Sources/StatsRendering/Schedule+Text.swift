import Foundation
import HumanUnits
import JobQueue

extension Schedule {
    /// One line for a terminal: rule, next run and last result, times relative to `now` (the
    /// Redis clock), e.g. `every 4h; next in 3h 12m; last job schedule:nightly:1733… (active) 48m ago;
    /// 12 enqueued, 1 skipped, 0 missed`.
    public func summaryLine(now: Int64) -> String {
        var parts = [rule.description]
        if paused {
            parts.append("paused")
        } else if let nextAt {
            parts.append("next " + (nextAt <= now ? "due now" : "in " + HumanText.duration(nextAt - now)) + " (\(Self.timestamp(nextAt)))")
        } else {
            parts.append("never fires again")
        }
        if let lastJobID, let lastEnqueuedAt {
            parts.append("last job \(lastJobID) (\(lastJobState ?? "finished, not kept")) enqueued \(HumanText.ago(lastEnqueuedAt, now: now))")
        } else {
            parts.append("no job enqueued yet")
        }
        var counts = "\(enqueued) enqueued, \(skipped) skipped"
        if let lastSkippedAt { counts += " (last \(HumanText.ago(lastSkippedAt, now: now)))" }
        counts += ", \(missed) missed"
        parts.append(counts)
        return parts.joined(separator: "; ")
    }

    /// Every field, one per line, for `jobq schedule show`.
    public func detailText(now: Int64) -> String {
        var lines = [
            "name          \(name)",
            "rule          \(rule)",
            "job           type \(type), max attempts \(maxAttempts), payload \(HumanText.oneLine(payload, limit: 200))",
            "catch-up      \(catchUp.rawValue)" + (skipIfRunning ? "; skips a tick while its previous job waits or runs" : ""),
            "state         " + (paused ? "paused" : "active"),
            "created       \(Self.timestamp(createdAt))",
            "next run      " + (nextAt.map { "\(Self.timestamp($0)) (" + ($0 <= now ? "due now" : "in \(HumanText.duration($0 - now))") + ")" }
                ?? (paused ? "none while paused" : "never")),
            "last tick     " + (lastTickAt.map(Self.timestamp) ?? "none yet"),
        ]
        if let lastJobID, let lastEnqueuedAt {
            lines.append("last job      \(lastJobID), enqueued \(Self.timestamp(lastEnqueuedAt)); now \(lastJobState ?? "finished (not kept)")")
        } else {
            lines.append("last job      none yet")
        }
        lines.append("counts        \(enqueued) enqueued, \(skipped) skipped (previous job still running), \(missed) missed (catch-up)")
        if let lastSkippedAt { lines.append("last skipped  \(Self.timestamp(lastSkippedAt))") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Milliseconds since the epoch as UTC ISO-8601.
    static func timestamp(_ milliseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}
