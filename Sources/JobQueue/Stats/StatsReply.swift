import Foundation
import RedisClient

/// Decodes the reply of the stats script (see ``QueueScripts/stats``) into ``QueueStats``.
enum StatsReply {
    static func decode(_ reply: RedisReply, queue: QueueName, configuration: StatsConfiguration) throws -> QueueSnapshot {
        guard let parts = reply.array, parts.count == 14, let now = parts[0].integer,
              let jobs = parts[1].array?.compactMap(\.integer), jobs.count == 9,
              let oldest = parts[2].array?.compactMap(\.integer), oldest.count == 2,
              let config = parts[3].array, config.count == 6,
              let minutes = parts[8].array, minutes.count > QueueStats.historyMinutes
        else { throw JobQueueError.protocolMismatch("stats", reply) }
        let number = { (index: Int) in Int(jobs[index]) }
        let perMinute = minutes.map { StatsCounters(fields: Queue.fields($0)) }
        let counters = CounterWindows(minutes: perMinute, total: StatsCounters(fields: Queue.fields(parts[7])), now: now)
        let text = config.map(\.string)
        let decoder = JSONDecoder()
        var jobCounts = JobCounts(
            waiting: number(0), delayed: number(1), delayedDue: number(2), active: number(3),
            expiredLeases: number(4), dead: number(5), parked: number(6))
        jobCounts.waitingHigh = number(7)
        jobCounts.waitingLow = number(8)
        let stats = QueueStats(
            queue: queue.rawValue, at: now,
            jobs: jobCounts,
            oldestWaiting: oldest[0] == 0 ? nil : OldestWaiting(
                enqueuedAt: oldest[1] >= 0 ? oldest[1] : nil, ageMilliseconds: oldest[1] >= 0 ? max(0, now - oldest[1]) : nil),
            paused: text[0] == "1",
            stopRequest: text[1] == "1" ? StopRequest(by: text[2] ?? "", at: text[3].flatMap { Int64($0) } ?? 0, reason: text[4] ?? "") : nil,
            rateLimit: rateLimit(parts[4]),
            concurrency: ConcurrencyUse(limit: text[5].flatMap { Int($0) }, running: number(3)),
            locks: locks(parts[5], now: now),
            counters: counters,
            workers: (parts[10].array ?? []).compactMap { entry in
                guard let pair = entry.array, pair.count == 2, let id = pair[0].string else { return nil }
                return LiveWorker(id: id, fields: Queue.fields(pair[1]), now: now)
            },
            supervisor: SupervisorSummary(
                status: SupervisorStatus(fields: Queue.fields(parts[6])), now: now, silentAfter: configuration.supervisorSilentAfter),
            recentExits: (parts[9].array ?? []).compactMap { item in
                guard case .bulk(let bytes) = item else { return nil }
                return try? decoder.decode(WorkerExitRecord.self, from: Data(bytes))
            },
            lastEvent: OperatorEvent(reply: parts[11]),
            lastEmergencyStop: OperatorEvent(reply: parts[12]),
            lastLost: LostJob(reply: parts[13])
        )
        return QueueSnapshot(stats: stats, history: CounterHistory(newestFirst: perMinute, now: now))
    }

    private static func rateLimit(_ reply: RedisReply) -> RateLimitLevel? {
        guard let parts = reply.array, parts.count == 4, let count = parts[0].integer, let period = parts[1].integer,
              let burst = parts[2].integer else { return nil }
        return RateLimitLevel(
            count: Int(count), periodMilliseconds: period, burst: Int(burst), tokens: parts[3].string.flatMap(Double.init) ?? 0)
    }

    private static func locks(_ reply: RedisReply, now: Int64) -> [HeldLock] {
        (reply.array ?? []).compactMap { entry -> HeldLock? in
            guard let parts = entry.array, parts.count == 3, let name = parts[0].string, let ttl = parts[1].integer else { return nil }
            return HeldLock(name: name, fields: Queue.fields(parts[2]), ttlMilliseconds: ttl, now: now)
        }.sorted { $0.name < $1.name }
    }
}
