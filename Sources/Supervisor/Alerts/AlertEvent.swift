import Foundation
import RedisClient

/// One alert: what an alert command reads as JSON on its standard input (one object, then a
/// newline). The schema is documented in `docs/alerts.md`; ``schema`` changes only when a field is
/// removed or changes meaning (new fields may appear in any version).
public struct AlertEvent: Sendable, Codable, Equatable {
    /// The schema version of events this build writes.
    public static let schemaVersion = 1

    /// The schema version, ``schemaVersion``.
    public var schema: Int
    /// What happened; also the alert command's first argument.
    public var kind: AlertKind
    /// How urgent, from ``kind``.
    public var severity: AlertKind.Severity
    /// The queue it happened to; `nil` for an event about no queue (an emergency stop of units only).
    public var queue: String?
    /// One line for a person, e.g. for a chat message's text or a mail's subject.
    public var summary: String
    /// The facts behind it, by name; which names each kind carries is documented per kind.
    public var details: [String: String]
    /// When it happened, this host's clock, ISO 8601 in UTC with milliseconds.
    public var at: String
    /// The same instant in milliseconds since the epoch.
    public var atMilliseconds: Int64
    /// The host of the process that raised it.
    public var host: String
    /// The jobq command that raised it: `supervise`, `emergency-stop`, `resume` or `breaker reset`.
    public var source: String
    /// The process id of that command.
    public var pid: Int32
    /// Alerts of this kind for this queue suppressed since the last one delivered (de-duplication).
    public var suppressed: Int
    /// Alerts of any kind this process dropped since its last delivery because too many were
    /// pending (the oldest go first).
    public var dropped: Int

    /// Creates an event. The summary and the details are masked by ``SecretRedaction`` (a worker's
    /// error text may quote a command line). ``host``, ``source``, ``pid``, ``suppressed`` and
    /// ``dropped`` are set by the ``AlertRunner`` that delivers it.
    public init(kind: AlertKind, queue: String?, summary: String, details: [String: String] = [:], at date: Date = Date()) {
        schema = Self.schemaVersion
        self.kind = kind
        severity = kind.severity
        self.queue = queue
        self.summary = SecretRedaction.redact(summary)
        self.details = details.mapValues(SecretRedaction.redact)
        atMilliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        at = Self.timestamp(Date(timeIntervalSince1970: Double(atMilliseconds) / 1000))
        host = ""
        source = ""
        pid = 0
        suppressed = 0
        dropped = 0
    }

    enum CodingKeys: String, CodingKey {
        case schema, kind, severity, queue, summary, details, at
        case atMilliseconds = "at_ms"
        case host, source, pid, suppressed, dropped
    }

    /// Writes every field, `queue` as `null` when there is none (a reader can rely on each key).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schema, forKey: .schema)
        try container.encode(kind, forKey: .kind)
        try container.encode(severity, forKey: .severity)
        try container.encode(queue, forKey: .queue)
        try container.encode(summary, forKey: .summary)
        try container.encode(details, forKey: .details)
        try container.encode(at, forKey: .at)
        try container.encode(atMilliseconds, forKey: .atMilliseconds)
        try container.encode(host, forKey: .host)
        try container.encode(source, forKey: .source)
        try container.encode(pid, forKey: .pid)
        try container.encode(suppressed, forKey: .suppressed)
        try container.encode(dropped, forKey: .dropped)
    }

    /// The event as the alert command reads it: one JSON object with sorted keys, then a newline.
    public func json() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings, numbers and a string map cannot fail.
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return Array(data) + [UInt8(ascii: "\n")]
    }

    /// How logs name it: `alert breaker_tripped of queue docs`.
    var logName: String {
        "alert \(kind.rawValue)" + (queue.map { " of queue \($0)" } ?? "")
    }

    private static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
