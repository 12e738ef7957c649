import Foundation
import RedisClient

/// Reading queue statistics: one script call per queue, whatever the number of jobs.
extension Queue {
    /// The queue's statistics and verdicts, read in one round trip.
    /// - Throws: ``JobQueueError`` `.redis`, `.protocolMismatch`.
    public func stats(configuration: StatsConfiguration = StatsConfiguration()) throws -> QueueStats {
        try QueueStats.read([name], on: connection, configuration: configuration)[0]
    }

    /// The names in the registry of known queues (`QueueKeys.registry`), sorted. A queue is
    /// registered by the first jobq call that writes to it (enqueue, pause, limits, stop request).
    public static func registeredNames(on connection: RedisConnection) throws -> [QueueName] {
        let reply: RedisReply
        do {
            reply = try connection.command(["SMEMBERS", RedisArgument(QueueKeys.registry)])
        } catch let error as RedisError {
            throw JobQueueError(code: .redis, message: error.message, redisError: error)
        }
        return (reply.array ?? []).compactMap { $0.string.flatMap { try? QueueName($0) } }.sorted { $0.rawValue < $1.rawValue }
    }
}

extension QueueStats {
    /// Minutes of per-minute counters read besides the current one: the longest window, an hour.
    static let historyMinutes = 60

    /// Reads the statistics of several queues in one round trip (one pipelined script call each)
    /// and judges them.
    /// - Returns: one entry per queue, in order.
    /// - Throws: ``JobQueueError`` `.redis`, `.protocolMismatch`.
    public static func read(
        _ queues: [QueueName], on connection: RedisConnection, configuration: StatsConfiguration = StatsConfiguration()
    ) throws -> [QueueStats] {
        guard !queues.isEmpty else { return [] }
        let arguments: [RedisArgument] = [
            RedisArgument(historyMinutes), RedisArgument(Int(configuration.expiredLeaseGrace.milliseconds)),
            RedisArgument(max(1, configuration.workerLimit)), RedisArgument(max(1, configuration.exitLimit)),
        ]
        let replies: [RedisReply]
        do {
            replies = try connection.runPipelined(
                QueueScripts.stats, calls: queues.map { (keys: [QueueKeys(queue: $0).base], arguments: arguments) })
        } catch let error as RedisError {
            throw JobQueueError(code: .redis, message: error.message, redisError: error)
        }
        return try zip(queues, replies).map { queue, reply in
            if case .error(let text) = reply {
                throw JobQueueError(code: .redis, message: "stats of \(queue) failed: \(text)", redisError: .server(text))
            }
            var stats = try StatsReply.decode(reply, queue: queue, configuration: configuration)
            stats.verdicts = QueueVerdict.judge(stats, configuration: configuration)
            return stats
        }
    }
}
