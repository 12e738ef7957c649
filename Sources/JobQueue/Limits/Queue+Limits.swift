import RedisClient
/// Rate limits and concurrency limits stored in Redis: changing them needs no restart.
extension Queue {
    /// A token bucket's setting and level, or the queue's concurrency limit, as `jobq limit` shows.
    public struct LimitStatus: Sendable, Codable, Equatable {
        /// The rate, or `nil` when unlimited.
        public var rate: RateLimit?
        /// Tokens in the bucket now (Redis clock); `nil` when unlimited.
        public var level: Double?
        /// The most jobs of the queue that may run at once on all hosts; `nil` for no limit.
        public var concurrency: Int?
        /// Jobs of the queue running now.
        public var running: Int
    }

    /// Sets the queue's rate limit, or a named limiter's (jobs opt in with
    /// ``EnqueueOptions/limiter``). `nil` removes it.
    public func setRateLimit(_ limit: RateLimit?, limiter: String? = nil) throws {
        if let limiter { try Self.validateLimitKey(limiter, "limiter") }
        let arguments: [RedisArgument] = [
            RedisArgument(limiter ?? ""), RedisArgument(limit?.count ?? 0),
            RedisArgument(Int(limit?.periodMilliseconds ?? 1)), RedisArgument(limit?.burst ?? 1),
        ]
        try redis { _ = try write(QueueScripts.setLimit, calls: [(keys: keys.scriptKeys, arguments: arguments)])[0].throwingServerError() }
    }

    /// Sets how many jobs of the queue may run at once across all workers and hosts; `nil` removes
    /// the limit.
    public func setConcurrency(_ limit: Int?) throws {
        if let limit, limit < 1 { throw JobQueueError(code: .invalidJob, message: "concurrency must be at least 1") }
        let command: [RedisArgument] = limit.map { ["HSET", RedisArgument(keys.config), "concurrency", RedisArgument($0)] }
            ?? ["HDEL", RedisArgument(keys.config), "concurrency"]
        try redis { _ = try write([command])[0].throwingServerError() }
    }

    /// The queue's (or a named limiter's) rate and level, its concurrency limit and running jobs.
    public func limitStatus(limiter: String? = nil) throws -> LimitStatus {
        let bucket = try redis { try connection.run(QueueScripts.limitStatus, keys: keys.scriptKeys, arguments: [RedisArgument(limiter ?? "")]) }
        let replies = try redis {
            try connection.pipeline([["HGET", RedisArgument(keys.config), "concurrency"], ["ZCARD", RedisArgument(keys.active)]])
        }
        var status = LimitStatus(rate: nil, level: nil, concurrency: replies[0].integer.map(Int.init), running: Int(replies[1].integer ?? 0))
        if let parts = bucket.array, parts.count == 4, let count = parts[0].integer, let period = parts[1].integer, let burst = parts[2].integer {
            status.rate = RateLimit(count: Int(count), period: .milliseconds(period), burst: Int(burst))
            status.level = parts[3].string.flatMap(Double.init)
        }
        return status
    }

    /// The queue's held locks: concurrency slots (`slot:N`), concurrency keys (`key:K`) and named
    /// locks such as the supervisor's.
    public func locks() throws -> [HeldLock] {
        let reply = try redis { try connection.run(QueueScripts.lockList, keys: keys.scriptKeys, arguments: []) }
        guard let items = reply.array, let now = items.first?.integer else { throw JobQueueError.protocolMismatch("lock-list", reply) }
        var locks: [HeldLock] = []
        var index = 1
        while index + 2 < items.count {
            guard let name = items[index].string, let ttl = items[index + 1].integer else { break }
            let fields = Self.fields(items[index + 2])
            locks.append(HeldLock(name: name, fields: fields, ttlMilliseconds: ttl, now: now))
            index += 3
        }
        return locks.sorted { $0.name < $1.name }
    }
}
