extension Finding.Code {
    /// Redis could not be reached or refused the credentials.
    public static let redisUnreachable: Finding.Code = "redis.unreachable"
    /// Redis answers, but refused `INFO` or `CONFIG GET` (a restricted ACL): its settings are unknown.
    public static let redisSettingsUnreadable: Finding.Code = "redis.settingsUnreadable"
    /// Which Redis server answered, its version and memory.
    public static let redisServer: Finding.Code = "redis.server"
    /// Redis may evict keys when full: jobs can disappear.
    public static let redisEviction: Finding.Code = "redis.evictionPolicy"
    /// Redis is close to its memory limit.
    public static let redisMemory: Finding.Code = "redis.memory"
    /// Redis keeps jobs only in memory, or only in snapshots.
    public static let redisPersistence: Finding.Code = "redis.persistence"
    /// Jobs of a queue vanished from Redis (evicted) and were counted lost.
    public static let queueLost: Finding.Code = "queue.lost"
    /// A queue's workers keep crashing, or its breaker tripped.
    public static let queueCrashLoop: Finding.Code = "queue.crashLoop"
    /// A queue's work is not progressing.
    public static let queueStuck: Finding.Code = "queue.stuck"
    /// A queue's waiting list grows faster than it drains.
    public static let queueBacklog: Finding.Code = "queue.backlog"
    /// A stop request holds a queue's supervisor.
    public static let queueStopped: Finding.Code = "queue.stopped"
    /// A queue is paused.
    public static let queuePaused: Finding.Code = "queue.paused"
}
