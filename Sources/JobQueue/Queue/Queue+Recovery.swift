import RedisClient
/// Recovery of work from consumers that died or stalled.
extension Queue {
    /// What one reaper pass did.
    public struct ReapResult: Sendable, Equatable {
        /// Delayed jobs that became due and were moved to waiting.
        public var promoted: Int
        /// Jobs whose lease expired and that wait again.
        public var requeued: Int
        /// Jobs whose lease expired on their last attempt, or as poison: dead-lettered.
        public var deadLettered: Int
        /// Fetched-but-unleased entries of silent consumers handed back.
        public var orphansReturned: Int
    }

    /// Runs a reaper pass if no other process ran one in the last ``Configuration/reapInterval``.
    /// - Parameter holder: who is asking (for the election lock's value).
    /// - Returns: what the pass did, or `nil` when another process holds the turn.
    @discardableResult
    public func reap(holder: String) throws -> ReapResult? {
        let arguments: [RedisArgument] = [
            RedisArgument(holder), RedisArgument(Int(configuration.reapInterval.milliseconds)),
            RedisArgument(Int(configuration.consumerTTL.milliseconds)), RedisArgument(configuration.poisonThreshold),
        ]
        let reply = try redis { try connection.run(QueueScripts.reap, keys: keys.scriptKeys, arguments: arguments) }
        guard let parts = reply.array?.compactMap(\.integer), let first = parts.first else { throw JobQueueError.protocolMismatch("reap", reply) }
        if first < 0 { return nil }
        guard parts.count == 4 else { throw JobQueueError.protocolMismatch("reap", reply) }
        return ReapResult(promoted: Int(parts[0]), requeued: Int(parts[1]), deadLettered: Int(parts[2]), orphansReturned: Int(parts[3]))
    }

    /// What happened to a job found in the hands of a dead consumer.
    public struct RecoveredJob: Sendable, Equatable {
        /// The job.
        public var id: String
        /// `requeued`, `poison` (quarantined in dead letters), `dead` (no attempts left).
        public var outcome: String
    }

    /// Recovers at once the jobs leased by a consumer whose process is known to have died, blaming
    /// them with `cause` (a crash counted on each job; poison after the threshold).
    public func recoverConsumer(_ consumer: String, cause: String) throws -> [RecoveredJob] {
        let arguments: [RedisArgument] = [RedisArgument(consumer), RedisArgument(cause), RedisArgument(configuration.poisonThreshold)]
        let reply = try redis { try connection.run(QueueScripts.recoverConsumer, keys: keys.scriptKeys, arguments: arguments) }
        let items = reply.array?.compactMap(\.string) ?? []
        return stride(from: 0, to: items.count - 1, by: 2).map { RecoveredJob(id: items[$0], outcome: items[$0 + 1]) }
    }

    /// Records that a consumer is alive, with facts about it for `jobq stats`.
    /// - Parameters:
    ///   - consumer: the consumer id.
    ///   - ttl: how long the registry entry lives without another heartbeat.
    ///   - info: field/value pairs such as host, pid, job.
    /// - Returns: the Redis clock, ms since the epoch.
    @discardableResult
    public func heartbeat(consumer: String, ttl: Duration, info: [(String, String)] = [], on connection: RedisConnection? = nil) throws -> Int64 {
        var arguments: [RedisArgument] = [RedisArgument(consumer), RedisArgument(Int(ttl.milliseconds))]
        for (field, value) in info {
            arguments.append(RedisArgument(field))
            arguments.append(RedisArgument(value))
        }
        let reply = try redis {
            try write(QueueScripts.heartbeat, calls: [(keys: keys.scriptKeys, arguments: arguments)], on: connection)[0].throwingServerError()
        }
        return reply.integer ?? 0
    }
}
