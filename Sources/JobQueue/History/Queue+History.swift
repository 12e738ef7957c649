import RedisClient

/// The record of finished jobs: completed jobs kept as the queue's history (when its retention
/// asks for one) and dead letters. See `docs/guarantees.md`, "History of finished jobs".
extension Queue {
    /// What the queue keeps of its finished jobs.
    public func retention() throws -> Retention {
        let reply = try redis {
            try connection.command([
                "HMGET", RedisArgument(keys.config), "history_max_count", "history_max_age_ms", "dead_max_count", "dead_max_age_ms",
            ])
        }
        let values = (reply.array ?? []).map { $0.string.flatMap { Int64($0) } }
        func value(_ index: Int) -> Int64? { index < values.count ? values[index] : nil }
        var retention = Retention(completed: nil, dead: Retention.defaultDead)
        if let count = value(0), count > 0 {
            retention.completed = RetentionLimit(maxAgeMs: value(1) ?? Retention.defaultCompletedAgeMs, maxCount: Int(count))
        }
        retention.dead = RetentionLimit(
            maxAgeMs: value(3) ?? Retention.defaultDead.maxAgeMs, maxCount: Int(value(2) ?? Int64(Retention.defaultDead.maxCount)))
        return retention
    }

    /// Keeps completed jobs as the queue's history within `limit`, or none (`nil`). Stored in
    /// Redis: holds for every worker at once. What is kept beyond the new limit is deleted now.
    /// - Returns: how many kept jobs were deleted.
    @discardableResult
    public func keepCompleted(_ limit: RetentionLimit?) throws -> Int {
        try setRetention("completed", count: limit?.maxCount ?? 0, ageMs: limit?.maxAgeMs ?? 1)
    }

    /// Keeps dead letters within `limit` (default 7 days, 10,000). What is kept beyond it is
    /// deleted now.
    /// - Returns: how many dead letters were deleted.
    @discardableResult
    public func keepDeadLetters(_ limit: RetentionLimit) throws -> Int {
        try setRetention("dead", count: limit.maxCount, ageMs: limit.maxAgeMs)
    }

    private func setRetention(_ kind: String, count: Int, ageMs: Int64) throws -> Int {
        let call = (keys: keys.scriptKeys, arguments: [RedisArgument(kind), RedisArgument(count), RedisArgument(Int(ageMs))])
        let reply = try write(QueueScripts.setRetention, calls: [call])[0]
        guard let deleted = try redis({ try reply.throwingServerError() }).integer else {
            throw JobQueueError.protocolMismatch("set-retention", reply)
        }
        return Int(deleted)
    }

    /// The queue's finished jobs, newest first: completed jobs kept in its history and dead
    /// letters, merged by the time they finished, in one read.
    /// - Parameters:
    ///   - limit: the most to return.
    ///   - failedOnly: dead letters only.
    public func history(limit: Int = 20, failedOnly: Bool = false) throws -> [JobRecord] {
        let arguments = [RedisArgument(max(1, limit)), failedOnly ? "1" : "0"]
        let reply = try redis { try connection.run(QueueScripts.history, keys: keys.scriptKeys, arguments: arguments) }
        guard let entries = reply.array else { throw JobQueueError.protocolMismatch("history", reply) }
        return entries.compactMap { entry in
            guard let pair = entry.array, pair.count == 2, let id = pair[0].string else { return nil }
            return JobRecord(queue: name.rawValue, id: id, fields: Self.fields(pair[1]))
        }
    }
}
