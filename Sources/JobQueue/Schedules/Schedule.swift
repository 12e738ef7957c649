import Foundation

/// A recurring schedule as stored in Redis, with its next fire time and its last results.
///
/// Codable as the entries of `schedules` in `jobq stats --json` (`docs/stats-json.md`): snake_case
/// keys, times in ms since the epoch (Redis clock); optional fields are left out when absent.
public struct Schedule: Sendable, Equatable, Codable {
    /// The schedule's name, unique in its queue.
    public var name: String
    /// When it fires.
    public var rule: ScheduleRule
    /// The type of each job.
    public var type: String
    /// The payload of each job, as JSON text.
    public var payload: String
    /// Starts allowed per job.
    public var maxAttempts: Int
    /// What happens to missed ticks.
    public var catchUp: CatchUpPolicy
    /// Whether a tick is skipped while the previous job waits, is delayed or runs.
    public var skipIfRunning: Bool
    /// Whether the schedule is paused.
    public var paused: Bool
    /// When it was added: the anchor of an interval's ticks.
    public var createdAt: Int64
    /// The next fire time; `nil` while paused (or when a cron rule never fires again).
    public var nextAt: Int64?
    /// Jobs enqueued in all.
    public var enqueued: Int
    /// Ticks skipped because the previous job was still waiting, delayed or running.
    public var skipped: Int
    /// Ticks dropped by the catch-up policy after downtime.
    public var missed: Int
    /// The newest tick handled (enqueued or skipped).
    public var lastTickAt: Int64?
    /// When the last job was enqueued.
    public var lastEnqueuedAt: Int64?
    /// The id of the last job enqueued.
    public var lastJobID: String?
    /// The last job's state now (`waiting`, `delayed`, `active`, `dead` ...); `nil` when the job is
    /// no longer stored (completed, cancelled, or trimmed) or none was enqueued yet.
    public var lastJobState: String?
    /// When a tick was last skipped.
    public var lastSkippedAt: Int64?

    enum CodingKeys: String, CodingKey {
        case name, rule, cron, type, payload, paused, enqueued, skipped, missed
        case everyMilliseconds = "every_ms"
        case timeZone = "time_zone"
        case maxAttempts = "max_attempts"
        case catchUp = "catch_up"
        case skipIfRunning = "skip_if_running"
        case createdAt = "created_at"
        case nextAt = "next_at"
        case lastTickAt = "last_tick_at"
        case lastEnqueuedAt = "last_enqueued_at"
        case lastJobID = "last_job_id"
        case lastJobState = "last_job_state"
        case lastSkippedAt = "last_skipped_at"
    }

    /// Reads a schedule's hash (as `HGETALL` gives it).
    init(name: String, fields: [String: String], lastJobState: String?) throws {
        self.name = name
        rule = try ScheduleRule(kind: fields["kind"] ?? "", value: fields["rule"] ?? "", zone: fields["tz"] ?? "")
        guard let payload = fields["payload"], let maxAttempts = fields["max_attempts"].flatMap({ Int($0) }) else {
            throw JobQueueError(code: .invalidSchedule, message: "the stored schedule has no payload or max attempts")
        }
        type = fields["type"] ?? "default"
        self.payload = payload
        self.maxAttempts = maxAttempts
        catchUp = fields["catch_up"].flatMap(CatchUpPolicy.init(rawValue:)) ?? .one
        skipIfRunning = fields["skip_if_running"] == "1"
        paused = fields["paused"] == "1"
        createdAt = fields["created_at"].flatMap { Int64($0) } ?? 0
        nextAt = fields["next_at"].flatMap { Int64($0) }
        enqueued = fields["enqueued"].flatMap { Int($0) } ?? 0
        skipped = fields["skipped"].flatMap { Int($0) } ?? 0
        missed = fields["missed"].flatMap { Int($0) } ?? 0
        lastTickAt = fields["last_tick_at"].flatMap { Int64($0) }
        lastEnqueuedAt = fields["last_enqueued_at"].flatMap { Int64($0) }
        lastJobID = fields["last_job"]
        self.lastJobState = lastJobState
        lastSkippedAt = fields["last_skipped_at"].flatMap { Int64($0) }
    }

    /// Decodes an entry of `jobq stats --json`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        if let every = try container.decodeIfPresent(Int64.self, forKey: .everyMilliseconds) {
            rule = .every(.milliseconds(every))
        } else {
            rule = try .cron(container.decode(String.self, forKey: .cron), timeZone: container.decode(String.self, forKey: .timeZone))
        }
        type = try container.decode(String.self, forKey: .type)
        payload = try container.decode(String.self, forKey: .payload)
        maxAttempts = try container.decode(Int.self, forKey: .maxAttempts)
        catchUp = try container.decode(CatchUpPolicy.self, forKey: .catchUp)
        skipIfRunning = try container.decode(Bool.self, forKey: .skipIfRunning)
        paused = try container.decode(Bool.self, forKey: .paused)
        createdAt = try container.decode(Int64.self, forKey: .createdAt)
        nextAt = try container.decodeIfPresent(Int64.self, forKey: .nextAt)
        enqueued = try container.decode(Int.self, forKey: .enqueued)
        skipped = try container.decode(Int.self, forKey: .skipped)
        missed = try container.decode(Int.self, forKey: .missed)
        lastTickAt = try container.decodeIfPresent(Int64.self, forKey: .lastTickAt)
        lastEnqueuedAt = try container.decodeIfPresent(Int64.self, forKey: .lastEnqueuedAt)
        lastJobID = try container.decodeIfPresent(String.self, forKey: .lastJobID)
        lastJobState = try container.decodeIfPresent(String.self, forKey: .lastJobState)
        lastSkippedAt = try container.decodeIfPresent(Int64.self, forKey: .lastSkippedAt)
    }

    /// Encodes the schedule; the rule as `rule` (its description) and `every_ms` or `cron` and
    /// `time_zone`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(rule.description, forKey: .rule)
        switch rule {
        case .every(let interval): try container.encode(interval.milliseconds, forKey: .everyMilliseconds)
        case .cron(let expression, let zone):
            try container.encode(expression.text, forKey: .cron)
            try container.encode(ScheduleRule.name(of: zone), forKey: .timeZone)
        }
        try container.encode(type, forKey: .type)
        try container.encode(payload, forKey: .payload)
        try container.encode(maxAttempts, forKey: .maxAttempts)
        try container.encode(catchUp, forKey: .catchUp)
        try container.encode(skipIfRunning, forKey: .skipIfRunning)
        try container.encode(paused, forKey: .paused)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encodeIfPresent(nextAt, forKey: .nextAt)
        try container.encode(enqueued, forKey: .enqueued)
        try container.encode(skipped, forKey: .skipped)
        try container.encode(missed, forKey: .missed)
        try container.encodeIfPresent(lastTickAt, forKey: .lastTickAt)
        try container.encodeIfPresent(lastEnqueuedAt, forKey: .lastEnqueuedAt)
        try container.encodeIfPresent(lastJobID, forKey: .lastJobID)
        try container.encodeIfPresent(lastJobState, forKey: .lastJobState)
        try container.encodeIfPresent(lastSkippedAt, forKey: .lastSkippedAt)
    }
}
