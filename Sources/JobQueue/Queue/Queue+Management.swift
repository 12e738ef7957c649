import RedisClient
/// Operator actions and inspection: pause, cancel, retry dead letters, show jobs and counts.
extension Queue {
    /// Stops handing out jobs (running jobs finish). Stored in Redis: holds for every consumer on
    /// every host until ``resume()``.
    public func pause() throws {
        try redis { _ = try write([["HSET", RedisArgument(keys.config), "paused", "1"]])[0].throwingServerError() }
    }

    /// Hands out jobs again after ``pause()``.
    public func resume() throws {
        try redis { _ = try connection.command(["HDEL", RedisArgument(keys.config), "paused"]) }
    }

    /// Whether the queue is paused.
    public func isPaused() throws -> Bool {
        try redis { try connection.command(["HGET", RedisArgument(keys.config), "paused"]).string == "1" }
    }

    /// Cancels a waiting or delayed job, or deletes a dead letter or a completed job kept in the history.
    /// - Returns: the state the job was in.
    /// - Throws: `.jobNotFound`, or `.invalidState` for a running job.
    @discardableResult
    public func cancel(id: String) throws -> JobRecord.State {
        let reply = try redis { try connection.run(QueueScripts.cancel, keys: keys.scriptKeys, arguments: [RedisArgument(id)]) }
        guard let parts = reply.array, let status = parts.first?.string else { throw JobQueueError.protocolMismatch("cancel", reply) }
        switch status {
        case "cancelled":
            guard parts.count > 1, let raw = parts[1].string, let state = JobRecord.State(rawValue: raw) else {
                throw JobQueueError.protocolMismatch("cancel", reply)
            }
            return state
        case "running":
            throw JobQueueError(code: .invalidState, message: "job '\(id)' is running and cannot be cancelled; it can be stopped with its worker")
        default:
            throw JobQueueError(code: .jobNotFound, message: "no job '\(id)' in queue '\(name)' (completed jobs are kept only where the queue keeps a history)")
        }
    }

    /// What ``retryDead(ids:)`` did.
    public struct RetriedDeadLetters: Sendable, Equatable {
        /// Dead letters sent back to the waiting list.
        public var requeued = 0
        /// Dead letters whose job hash was gone (evicted by Redis): nothing was left to run, so
        /// each was dropped and counted lost (``StatsCounters/lost``), not requeued.
        public var lost = 0

        /// Creates the counts.
        public init(requeued: Int = 0, lost: Int = 0) {
            self.requeued = requeued
            self.lost = lost
        }
    }

    /// Sends dead letters back to the waiting list with their attempts reset.
    /// - Parameter ids: the jobs; `nil` retries every dead letter.
    /// - Returns: how many were requeued, and how many were found evicted and counted lost.
    @discardableResult
    public func retryDead(ids: [String]?) throws -> RetriedDeadLetters {
        if let ids {
            guard !ids.isEmpty else { return RetriedDeadLetters() }
            return try retryDeadCall(ids.map { RedisArgument($0) })
        }
        var total = RetriedDeadLetters()
        while true {
            let call = try retryDeadCall(["*"])
            total.requeued += call.requeued
            total.lost += call.lost
            if call.requeued + call.lost == 0 { return total }
        }
    }

    private func retryDeadCall(_ arguments: [RedisArgument]) throws -> RetriedDeadLetters {
        let reply = try redis { try connection.run(QueueScripts.retryDead, keys: keys.scriptKeys, arguments: arguments) }
        guard let parts = reply.array, parts.count == 2, let requeued = parts[0].integer, let lost = parts[1].integer else {
            throw JobQueueError.protocolMismatch("retry-dead", reply)
        }
        return RetriedDeadLetters(requeued: Int(requeued), lost: Int(lost))
    }

    /// Everything stored about a job, in any state; `nil` when there is no such job (completed
    /// jobs are deleted unless the queue keeps a history, see ``keepCompleted(_:)``).
    public func job(id: String) throws -> JobRecord? {
        let reply = try redis { try connection.run(QueueScripts.job, keys: keys.scriptKeys, arguments: [RedisArgument(id)]) }
        return JobRecord(queue: name.rawValue, id: id, fields: Self.fields(reply))
    }

    /// The most recent dead letters, newest first.
    public func deadLetters(limit: Int = 20) throws -> [JobRecord] {
        let ids = try redis {
            try connection.command(["ZREVRANGE", RedisArgument(keys.dead), "0", RedisArgument(max(0, limit - 1))])
        }.array?.compactMap(\.string) ?? []
        let replies = try redis { try connection.pipeline(ids.map { ["HGETALL", RedisArgument(keys.job($0))] }) }
        return zip(ids, replies).compactMap { id, reply in JobRecord(queue: name.rawValue, id: id, fields: Self.fields(reply)) }
    }

    /// How many jobs are in each state, read in one round trip whatever the queue's length.
    public func counts() throws -> QueueCounts {
        let replies = try redis {
            try connection.pipeline([
                ["LLEN", RedisArgument(keys.wait)], ["ZCARD", RedisArgument(keys.delayed)],
                ["ZCARD", RedisArgument(keys.active)], ["ZCARD", RedisArgument(keys.dead)],
                ["HGET", RedisArgument(keys.config), "paused"],
                ["LLEN", RedisArgument(keys.wait(.high))], ["LLEN", RedisArgument(keys.wait(.low))],
                ["LRANGE", RedisArgument(keys.wait), "-5", "-1"],
            ])
        }
        func number(_ index: Int) -> Int { Int(replies[index].integer ?? 0) }
        // A wake entry (see docs/keys.md) is not a job; one can only be among the last few entries.
        let wakeEntries = replies[7].array?.count { $0.string == Self.wakeEntry } ?? 0
        return QueueCounts(
            waiting: number(0) - wakeEntries + number(5) + number(6), delayed: number(1), active: number(2), dead: number(3),
            paused: replies[4].string == "1")
    }

    /// The entry `Lua/library.lua` pushes on the normal waiting list to wake a blocked consumer.
    static let wakeEntry = "!"

    static func fields(_ reply: RedisReply) -> [String: String] {
        guard let items = reply.array else { return [:] }
        var fields: [String: String] = [:]
        var index = 0
        while index + 1 < items.count {
            if let key = items[index].string { fields[key] = items[index + 1].string }
            index += 2
        }
        return fields
    }
}

/// Job counts of a queue at one moment.
public struct QueueCounts: Sendable, Codable, Equatable {
    /// Entries in the waiting lists of every priority (including cancelled tombstones not yet
    /// dropped).
    public var waiting: Int
    /// Delayed and retrying jobs.
    public var delayed: Int
    /// Running jobs (leased).
    public var active: Int
    /// Dead letters.
    public var dead: Int
    /// Whether the queue is paused.
    public var paused: Bool
}
