/// What a queue's supervisor is doing, as stored in the `state` field of its Redis hash.
public enum SupervisorState: String, Sendable, Codable, CaseIterable {
    /// No job is ready: no worker runs; the queue is checked every tick.
    case sleeping
    /// A worker runs.
    case running
    /// The last worker crashed; the next launch waits until `backoff_until`.
    case backoff
    /// Work is ready but the host is too busy (load, memory); checked again every few seconds.
    case deferred
    /// Another supervisor holds the queue's supervisor lock; this one waits to take over.
    case standby
    /// The supervisor stopped, or a stop request stored in Redis keeps it from launching workers.
    case stopped
    /// The crash-loop breaker tripped: no worker is launched until `jobq breaker reset`.
    case breaker
}
