/// What an active supervisor reads from Redis each tick (one script call).
public struct SupervisionTick: Sendable, Equatable {
    /// Redis TIME, ms since the epoch.
    public var now: Int64
    /// Entries in the waiting list (cancelled tombstones included).
    public var waiting: Int
    /// Whether at least one delayed job is due (a worker would promote and run it).
    public var hasDueDelayed: Bool
    /// Whether the queue is paused.
    public var paused: Bool
    /// The stop request stored in Redis, if any.
    public var stopRequest: StopRequest?
    /// Whether the crash-loop breaker is tripped.
    public var breakerTripped: Bool

    /// Whether a worker would find a job: something waits or is due, and the queue is not paused.
    public var hasWork: Bool { !paused && (waiting > 0 || hasDueDelayed) }
}
