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
    /// registered by the first jobq call that writes to it (enqueue, pause, limits, stop request,
    /// a consumer's heartbeat). ``knownNames(on:)`` also finds queues only other clients push to.
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

    /// Reads the statistics of several queues in two round trips (pipelined script calls: the
    /// figures, then the schedules) and judges them.
    /// - Returns: one entry per queue, in order.
    /// - Throws: ``JobQueueError`` `.redis`, `.protocolMismatch`, for the first queue that cannot be read.
    public static func read(
        _ queues: [QueueName], on connection: RedisConnection, configuration: StatsConfiguration = StatsConfiguration()
    ) throws -> [QueueStats] {
        try readEach(queues, on: connection, configuration: configuration).map { try $0.get() }
    }

    /// Like ``read(_:on:configuration:)``, but a queue that cannot be read (a key of the wrong type
    /// written by another client, say) does not hide the others.
    /// - Returns: one result per queue, in order.
    /// - Throws: ``JobQueueError`` `.redis` when Redis cannot be reached.
    public static func readEach(
        _ queues: [QueueName], on connection: RedisConnection, configuration: StatsConfiguration = StatsConfiguration()
    ) throws -> [Result<QueueStats, JobQueueError>] {
        try readSnapshots(queues, on: connection, configuration: configuration).map { $0.map(\.stats) }
    }

    /// Like ``readEach(_:on:configuration:)``, with each queue's counters minute by minute over the
    /// last hour (read in the same call, for charts).
    /// - Returns: one result per queue, in order.
    /// - Throws: ``JobQueueError`` `.redis` when Redis cannot be reached.
    public static func readSnapshots(
        _ queues: [QueueName], on connection: RedisConnection, configuration: StatsConfiguration = StatsConfiguration()
    ) throws -> [Result<QueueSnapshot, JobQueueError>] {
        guard !queues.isEmpty else { return [] }
        let arguments: [RedisArgument] = [
            RedisArgument(historyMinutes), RedisArgument(Int(configuration.expiredLeaseGrace.milliseconds)),
            RedisArgument(max(1, configuration.workerLimit)), RedisArgument(max(1, configuration.exitLimit)),
        ]
        let replies: [RedisReply]
        let scheduleReplies: [RedisReply]
        do {
            replies = try connection.runPipelined(
                QueueScripts.stats, calls: queues.map { (keys: QueueKeys(queue: $0).scriptKeys, arguments: arguments) })
            scheduleReplies = try connection.runPipelined(
                QueueScripts.scheduleList, calls: queues.map { (keys: QueueKeys(queue: $0).scriptKeys, arguments: [""]) })
        } catch let error as RedisError {
            throw JobQueueError(code: .redis, message: error.message, redisError: error)
        }
        return zip(queues, zip(replies, scheduleReplies)).map { queue, replyPair in
            let (reply, scheduleReply) = replyPair
            for case .error(let text) in [reply, scheduleReply] {
                return .failure(JobQueueError(code: .redis, message: "stats of \(queue) failed: \(text)", redisError: .server(text)))
            }
            do {
                var snapshot = try StatsReply.decode(reply, queue: queue, configuration: configuration)
                let listing = try ScheduleListing(reply: scheduleReply)
                snapshot.stats.schedules = listing.schedules
                snapshot.stats.schedulerHolder = listing.schedulerHolder
                snapshot.stats.unreadableSchedules = listing.unreadable
                snapshot.stats.verdicts = QueueVerdict.judge(snapshot.stats, configuration: configuration)
                return .success(snapshot)
            } catch let error as JobQueueError {
                return .failure(error)
            } catch {
                return .failure(JobQueueError.protocolMismatch("stats", reply))
            }
        }
    }
}
