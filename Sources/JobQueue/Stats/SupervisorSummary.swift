/// A queue's supervisor as `jobq stats` shows it: its state, and whether it is still alive.
public struct SupervisorSummary: Sendable, Codable, Equatable {
    /// What the supervisor is doing, judged from its hash and how recently it wrote it: never
    /// `none` or `gone` in the hash itself.
    public var state: SupervisorState
    /// One line saying why, as the supervisor wrote it.
    public var detail: String?
    /// Host of the supervisor that wrote the hash.
    public var host: String?
    /// Its process id.
    public var pid: Int32?
    /// When the state last changed.
    public var since: Int64?
    /// When it last wrote the hash (every tick while it runs).
    public var updatedAt: Int64?
    /// In `backoff`: when the next launch may happen.
    public var backoffUntil: Int64?
    /// The running worker's process id.
    public var workerPID: Int32?
    /// The running worker's consumer id.
    public var workerID: String?
    /// Whether the crash-loop breaker is tripped.
    public var breakerTripped: Bool
    /// Why it tripped.
    public var breakerReason: String?
    /// When it tripped.
    public var breakerAt: Int64?
    /// `host/pid` of a supervisor waiting for the lock.
    public var standby: String?
    /// When the standby supervisor last tried to take the lock.
    public var standbyAt: Int64?

    /// Judges a supervisor hash.
    /// - Parameters:
    ///   - status: the hash as read.
    ///   - now: the Redis clock, ms since the epoch.
    ///   - silentAfter: how long without a write makes an active-looking supervisor `gone`.
    public init(status: SupervisorStatus, now: Int64, silentAfter: Duration) {
        let silent = now - (status.updatedAt ?? 0) > silentAfter.milliseconds
        switch status.state {
        case _ where status.breaker: state = .breaker
        case nil: state = .absent
        case .stopped?: state = .stopped
        case .breaker?: state = .breaker
        case let active?: state = silent ? .gone : active
        }
        detail = status.detail
        host = status.host
        pid = status.pid
        since = status.since
        updatedAt = status.updatedAt
        backoffUntil = status.backoffUntil
        workerPID = status.workerPID
        workerID = status.workerID
        breakerTripped = status.breaker
        breakerReason = status.breakerReason
        breakerAt = status.breakerAt
        standby = status.standby
        standbyAt = status.standbyAt
    }

    enum CodingKeys: String, CodingKey {
        case state, detail, host, pid, since, standby
        case updatedAt = "updated_at"
        case backoffUntil = "backoff_until"
        case workerPID = "worker_pid"
        case workerID = "worker_id"
        case breakerTripped = "breaker_tripped"
        case breakerReason = "breaker_reason"
        case breakerAt = "breaker_at"
        case standbyAt = "standby_at"
    }
}
