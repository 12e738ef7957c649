/// What a queue's supervisor is doing.
///
/// A supervisor stores one of `sleeping` to `breaker` in the `state` field of its Redis hash;
/// readers such as `jobq stats` add `none` (``absent``) and `gone`, judged from the hash (see
/// ``SupervisorSummary``). The cases are listed in the order `jobq stats --prometheus` lists them.
public enum SupervisorState: String, Sendable, Codable, CaseIterable {
    /// No supervisor ever ran for the queue: it has no hash. Never stored.
    case absent = "none"
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
    /// Its hash says it is active but it has not written for longer than
    /// ``StatsConfiguration/supervisorSilentAfter``: it died or lost Redis. Never stored.
    case gone
}
