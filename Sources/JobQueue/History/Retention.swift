/// What a queue keeps of its finished jobs (stored in `jobq:{Q}:config`).
public struct Retention: Sendable, Codable, Equatable {
    /// Completed jobs kept as the queue's history; `nil` keeps none (the default: a completed job
    /// is deleted, as without history).
    public var completed: RetentionLimit?
    /// Dead letters (jobs that failed). Default: 7 days, 10,000.
    public var dead: RetentionLimit

    /// The dead letters kept when the queue does not say: 7 days, 10,000.
    public static let defaultDead = RetentionLimit(maxAgeMs: 7 * 24 * 3600 * 1000, maxCount: 10_000)
    /// The age a history is kept when only its count was stored: 24 hours.
    static let defaultCompletedAgeMs: Int64 = 24 * 3600 * 1000
}
