/// The supervisor hash of a queue (`QueueKeys.supervisor`), as `jobq stats` and `jobq breaker` show it.
///
/// Times are milliseconds since the epoch, from the Redis clock.
public struct SupervisorStatus: Sendable, Codable, Equatable {
    /// What the active supervisor is doing; `nil` when no supervisor ever ran.
    public var state: SupervisorState?
    /// One line saying why, e.g. `worker 4242 (web1-17-3-9f2c)` or `no waiting jobs`.
    public var detail: String?
    /// Host of the active supervisor.
    public var host: String?
    /// Process id of the active supervisor.
    public var pid: Int32?
    /// When ``state`` last changed.
    public var since: Int64?
    /// In ``SupervisorState/backoff``: when the next launch may happen.
    public var backoffUntil: Int64?
    /// Process id of the running worker.
    public var workerPID: Int32?
    /// Consumer id of the running worker (`JOBQ_WORKER_ID`).
    public var workerID: String?
    /// Whether the crash-loop breaker is tripped.
    public var breaker: Bool
    /// Why the breaker tripped.
    public var breakerReason: String?
    /// When the breaker tripped.
    public var breakerAt: Int64?
    /// `host/pid` of a supervisor waiting for the lock, if one announced itself.
    public var standby: String?
    /// When the standby supervisor last tried to take the lock.
    public var standbyAt: Int64?
    /// When the active supervisor last wrote the hash; it does so every tick (about a second),
    /// so an old value means it is gone.
    public var updatedAt: Int64?

    /// Reads the hash's fields; unknown or malformed values are left out.
    public init(fields: [String: String]) {
        state = fields["state"].flatMap(SupervisorState.init(rawValue:))
        detail = fields["detail"]
        host = fields["host"]
        pid = fields["pid"].flatMap { Int32($0) }
        since = fields["since"].flatMap { Int64($0) }
        backoffUntil = fields["backoff_until"].flatMap { Int64($0) }
        workerPID = fields["worker_pid"].flatMap { Int32($0) }
        workerID = fields["worker_id"]
        breaker = fields["breaker"] == "1"
        breakerReason = fields["breaker_reason"]
        breakerAt = fields["breaker_at"].flatMap { Int64($0) }
        standby = fields["standby"]
        standbyAt = fields["standby_at"].flatMap { Int64($0) }
        updatedAt = fields["updated_at"].flatMap { Int64($0) }
    }
}
