import RedisClient
/// A stop request stored in Redis: it holds for the queue's supervisor on any host until cleared.
extension Queue {
    /// Asks the queue's supervisor to stop its worker (gracefully, then by force after its stop
    /// timeout) and to launch none until ``clearStopRequest()``. Sets `stop` = `1`, `stop_by`,
    /// `stop_at` (Redis clock) and `stop_reason` in the config hash.
    /// - Parameters:
    ///   - by: who asks, shown in the supervisor's state, e.g. `ops@web1`.
    ///   - reason: why; may be empty.
    public func requestStop(by: String, reason: String = "") throws {
        _ = try redis {
            try write(QueueScripts.supervisionRequestStop, calls: [(keys: keys.scriptKeys, arguments: [RedisArgument(by), RedisArgument(reason)])])[0]
                .throwingServerError()
        }
    }

    /// Clears the stop request; the supervisor launches workers again on its next tick.
    /// - Returns: whether a request was set.
    @discardableResult
    public func clearStopRequest() throws -> Bool {
        let reply = try redis {
            try connection.command(["HDEL", RedisArgument(keys.config), "stop", "stop_by", "stop_at", "stop_reason"])
        }
        return (reply.integer ?? 0) > 0
    }

    /// The stop request, if one is set.
    public func stopRequest() throws -> StopRequest? {
        let reply = try redis {
            try connection.command(["HMGET", RedisArgument(keys.config), "stop", "stop_by", "stop_at", "stop_reason"])
        }
        let values = (reply.array ?? []).map { $0.string }
        guard values.count == 4, values[0] == "1" else { return nil }
        return StopRequest(by: values[1] ?? "", at: values[2].flatMap { Int64($0) } ?? 0, reason: values[3] ?? "")
    }
}
