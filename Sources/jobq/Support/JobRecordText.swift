import Foundation
import HumanUnits
import JobQueue

/// Renders jobs for people. Free text (errors, reasons, bodies) may span lines: `render` indents
/// the continuation under its field, `summaryLine` escapes it so each job stays on one line.
enum JobRecordText {
    /// The width of a field's label in ``render(_:)``; continuation lines are indented by it.
    static let labelWidth = 14
    /// The longest reason or error a ``summaryLine(_:)`` shows; `jobq show` has the whole text.
    static let summaryTextLimit = 300

    static func render(_ record: JobRecord) -> String {
        var lines: [String] = []
        func field(_ label: String, _ value: String?) {
            guard let value else { return }
            let padded = (label + ":").padding(toLength: labelWidth, withPad: " ", startingAt: 0)
            lines.append(padded + HumanText.indented(value, by: labelWidth))
        }
        field("id", record.id)
        field("queue", record.queue)
        field("state", record.state.rawValue)
        field("type", record.type)
        if record.priority != .normal { field("priority", record.priority.rawValue) }
        field("attempts", "\(record.attempts) of \(record.maxAttempts)")
        field("crashes", "\(record.crashes)")
        field("enqueued", record.enqueuedAt.map(Timestamp.render))
        field("started", record.startedAt.map(Timestamp.render))
        field("due", record.dueAt.map(Timestamp.render))
        field("lease until", record.leaseUntil.map(Timestamp.render))
        field("dead since", record.deadAt.map(Timestamp.render))
        if record.state == .completed { field("finished", record.finishedAt.map(Timestamp.render)) }
        field("duration", record.durationMs.map(runTime))
        field(record.finishedAt == nil ? "owner" : "worker", workerText(record))
        field("progress", record.progress.map { progress in
            "\(progress)" + (record.progressAt.map { " (at \(Timestamp.render($0)))" } ?? "")
        })
        field("result", record.result)
        field("unique key", record.uniqueKey)
        field("dead reason", record.deadReason)
        field("last crash", record.lastCrash)
        field("last error", record.lastError)
        field("body", record.body)
        return lines.joined(separator: "\n")
    }

    /// How long a run took: `250ms`, `4.2s` (one decimal under 10 s), `42s`, `5m 3s`.
    static func runTime(_ milliseconds: Int64) -> String {
        milliseconds < 1000 ? DurationText.format(.milliseconds(max(0, milliseconds))) : HumanText.wait(milliseconds)
    }

    /// Who ran (or runs) the job: the consumer id, with the worker's host and pid when known.
    private static func workerText(_ record: JobRecord) -> String? {
        guard let owner = record.owner else { return nil }
        guard let host = record.host else { return owner }
        return "\(owner) (host \(host)\(record.pid.map { ", pid \($0)" } ?? ""))"
    }

    /// One line per finished job: id, when it finished, outcome, duration, attempts, and its
    /// result (completed) or why it died, with line breaks escaped.
    static func historyLine(_ record: JobRecord) -> String {
        let finished = record.finishedAt.map(Timestamp.render) ?? "-"
        let duration = record.durationMs.map(runTime) ?? "-"
        let outcome = record.state == .completed ? "completed" : "failed   "
        let detail = record.state == .completed ? record.result.map { "result: \($0)" } ?? "" : record.deadReason ?? ""
        return "\(record.id)  \(finished)  \(outcome)  \(duration)  attempts \(record.attempts)  \(HumanText.oneLine(detail, limit: summaryTextLimit))"
    }

    /// One line per dead letter: id, when it died, attempts, and why, with line breaks escaped.
    /// The last error is added only when the reason does not already carry it.
    static func summaryLine(_ record: JobRecord) -> String {
        let died = record.deadAt.map(Timestamp.render) ?? "-"
        let reason = record.deadReason ?? ""
        var line = "\(record.id)  \(died)  attempts \(record.attempts)  \(HumanText.oneLine(reason, limit: summaryTextLimit))"
        if let error = record.lastError, !error.isEmpty, !reason.contains(error.trimmingCharacters(in: .whitespacesAndNewlines)) {
            line += " | last error: \(HumanText.oneLine(error, limit: summaryTextLimit))"
        }
        return line
    }
}

/// Milliseconds since the epoch as UTC ISO-8601.
enum Timestamp {
    static func render(_ milliseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}

/// Stable, sorted JSON for `--json` outputs.
enum JSONText {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
