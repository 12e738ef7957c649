import HumanUnits
import RedisClient

extension Queue {
    /// Enqueues and waits until a replica has the jobs: the enqueue calls and `WAIT 1 timeout` go
    /// in one round trip on one socket (on a Redis Cluster, the socket of the master that owns the
    /// queue: the router sends a `WAIT` where the command before it went).
    ///
    /// `WAIT` counts the replicas that have every write made *on its connection* before it, so it
    /// must follow the writes on the same socket with no reconnect in between (a WAIT on a fresh
    /// connection to a new master would confirm nothing yet count every replica). The script is
    /// therefore sent whole (`EVAL`), not loaded in a round trip of its own first.
    /// - Throws: ``JobQueueError`` `.notReplicated` when the jobs were written on the master but no
    ///   replica confirmed them within ``Configuration/durableTimeout``; `.invalidJob` when that
    ///   timeout is not shorter than the connection's command timeout; `.redis`.
    func enqueueDurably(_ calls: [(keys: [String], arguments: [RedisArgument])]) throws -> [EnqueueResult] {
        let timeout = configuration.durableTimeout
        guard timeout > .zero, timeout < connection.configuration.commandTimeout else {
            throw JobQueueError(
                code: .invalidJob,
                message: "the durable timeout (\(DurationText.format(timeout))) must be above zero and shorter than the Redis command timeout (\(DurationText.format(connection.configuration.commandTimeout)))")
        }
        var commands: [[RedisArgument]] = calls.map { call in
            [RedisArgument("EVAL"), RedisArgument(QueueScripts.enqueue.source), RedisArgument(call.keys.count)]
                + call.keys.map { RedisArgument($0) } + call.arguments
        }
        commands.append(["WAIT", "1", RedisArgument(Int(timeout.milliseconds))])
        let replies = try write(commands)
        let results = try replies.dropLast().flatMap(Self.enqueueResults)
        let written = results.compactMap { result -> String? in
            if case .enqueued(let id) = result { return id }
            return nil
        }
        guard !written.isEmpty else { return results }
        if case .error(let text) = replies.last {
            throw JobQueueError(code: .redis, message: "enqueued, but WAIT failed: \(text)", redisError: .server(text))
        }
        guard let confirmed = replies.last?.integer else { throw JobQueueError.protocolMismatch("WAIT", replies.last ?? .null) }
        guard confirmed >= 1 else {
            let shown = written.prefix(5).joined(separator: ", ") + (written.count > 5 ? " and \(written.count - 5) more" : "")
            throw JobQueueError(
                code: .notReplicated,
                message: "\(written.count) job(s) written on the master (\(shown)) but no replica confirmed them within "
                    + "\(DurationText.format(timeout)): a failover now could lose them. Check the replicas (INFO replication); "
                    + "enqueueing again with the same id is safe (it answers that the job exists)")
        }
        return results
    }
}
