import RedisClient
/// The crash-loop breaker of a queue's supervisor, stored in the supervisor hash.
extension Queue {
    /// Trips the breaker: the supervisor hash gets `breaker` = `1`, `breaker_reason`,
    /// `breaker_at` and the state `breaker`. No supervisor launches a worker until ``resetBreaker()``.
    /// - Parameters:
    ///   - reason: why, e.g. `5 crashes within 10m (last: exit status 1)`.
    ///   - host: the supervisor's host.
    ///   - pid: the supervisor's process id.
    /// - Returns: the Redis clock, ms since the epoch.
    @discardableResult
    public func tripBreaker(reason: String, host: String, pid: Int32) throws -> Int64 {
        let arguments: [RedisArgument] = [RedisArgument(reason), RedisArgument(host), RedisArgument(Int(pid))]
        let reply = try redis { try connection.run(QueueScripts.supervisionTripBreaker, keys: keys.scriptKeys, arguments: arguments) }
        return reply.integer ?? 0
    }

    /// Resets the breaker so a supervisor may start again.
    /// - Returns: whether it was tripped.
    @discardableResult
    public func resetBreaker() throws -> Bool {
        let reply = try redis { try connection.run(QueueScripts.supervisionResetBreaker, keys: keys.scriptKeys, arguments: []) }
        return reply.integer == 1
    }
}
