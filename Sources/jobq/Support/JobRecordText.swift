import Foundation
import JobQueue

/// Renders jobs for people.
enum JobRecordText {
    static func render(_ record: JobRecord) -> String {
        var lines = [
            "id:           \(record.id)",
            "queue:        \(record.queue)",
            "state:        \(record.state.rawValue)",
            "type:         \(record.type)",
            "attempts:     \(record.attempts) of \(record.maxAttempts)",
            "crashes:      \(record.crashes)",
        ]
        func time(_ label: String, _ value: Int64?) {
            if let value { lines.append("\(label)\(Timestamp.render(value))") }
        }
        time("enqueued:     ", record.enqueuedAt)
        time("started:      ", record.startedAt)
        time("due:          ", record.dueAt)
        time("lease until:  ", record.leaseUntil)
        time("dead since:   ", record.deadAt)
        if let owner = record.owner { lines.append("owner:        \(owner)") }
        if let unique = record.uniqueKey { lines.append("unique key:   \(unique)") }
        if let reason = record.deadReason { lines.append("dead reason:  \(reason)") }
        if let crash = record.lastCrash { lines.append("last crash:   \(crash)") }
        if let error = record.lastError { lines.append("last error:   \(error.replacingOccurrences(of: "\n", with: "\n              "))") }
        lines.append("body:         \(record.body)")
        return lines.joined(separator: "\n")
    }

    static func summaryLine(_ record: JobRecord) -> String {
        let died = record.deadAt.map(Timestamp.render) ?? "-"
        let error = record.lastError.map { " | last error: \($0.split(separator: "\n").last.map(String.init) ?? "")" } ?? ""
        return "\(record.id)  \(died)  attempts \(record.attempts)  \(record.deadReason ?? "")\(error)"
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
