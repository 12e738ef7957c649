import RedisClient

/// The last job of a queue that was lost: its hash vanished (Redis evicted it) while the job
/// waited, was delayed, ran or was a dead letter, so there was nothing left to run. Read from `jobq:{Q}:lost`; the
/// number of lost jobs is the `lost` counter (``StatsCounters/lost``).
public struct LostJob: Sendable, Codable, Equatable {
    /// The job's id.
    public var id: String
    /// When it was found gone (ms since the epoch, Redis clock).
    public var at: Int64
    /// What it was doing: `waiting`, `delayed`, `running` or `dead` (a dead letter being retried).
    public var state: String

    /// Creates the record.
    public init(id: String, at: Int64, state: String) {
        self.id = id
        self.at = at
        self.state = state
    }

    /// Reads the stats script's `HMGET last_at, last_id, last_state`; `nil` when no job was lost.
    init?(reply: RedisReply) {
        guard let parts = reply.array, parts.count == 3, let at = parts[0].integer, let id = parts[1].string else { return nil }
        self.init(id: id, at: at, state: parts[2].string ?? "unknown")
    }
}
