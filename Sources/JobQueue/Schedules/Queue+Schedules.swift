import HumanUnits
import RedisClient

/// Recurring schedules stored with the queue: add, list, pause, resume, remove. A ``Scheduler``
/// fires them. See `docs/schedules.md`.
extension Queue {
    /// Adds a schedule; its first tick is the first fire time after now (Redis clock).
    /// - Returns: the schedule as stored.
    /// - Throws: ``JobQueueError`` `.invalidSchedule` (bad name, a rule that never fires),
    ///   `.invalidJob` (payload not JSON, too large, bad type or attempts), `.scheduleExists`,
    ///   `.redis`.
    @discardableResult
    public func addSchedule(_ schedule: NewSchedule) throws -> Schedule {
        try NewSchedule.validateName(schedule.name)
        guard !schedule.type.isEmpty, schedule.type.utf8.count <= 200 else {
            throw JobQueueError(code: .invalidJob, message: "job type must be 1 to 200 characters")
        }
        let maxAttempts = schedule.maxAttempts ?? configuration.defaultMaxAttempts
        guard (1...1000).contains(maxAttempts) else {
            throw JobQueueError(code: .invalidJob, message: "max attempts must be from 1 to 1000, not \(maxAttempts)")
        }
        if case .every(let interval) = schedule.rule { _ = try ScheduleRule.interval(interval) }
        let payload = try JobMessage.validatedPayload(schedule.payload)
        let size = JobMessage.assemble(
            id: "schedule:\(schedule.name):0000000000000", type: schedule.type, maxAttempts: maxAttempts, limiter: nil,
            concurrencyKey: nil, payload: payload).count
        guard size <= configuration.maxMessageBytes else {
            throw JobQueueError(code: .invalidJob, message: "job message is \(size) bytes, over the limit of \(configuration.maxMessageBytes)")
        }
        let existing = try listSchedules(named: schedule.name)
        guard existing.schedules.isEmpty && existing.unreadable.isEmpty else { throw exists(schedule.name) }
        let now = existing.now
        guard let first = schedule.rule.nextFire(after: now, anchor: now) else {
            throw JobQueueError(code: .invalidSchedule, message: "\(schedule.rule) does not fire within the next \(CronExpression.searchDays / 366) years")
        }
        let stored = schedule.rule.stored
        let arguments: [RedisArgument] = [
            RedisArgument(schedule.name), RedisArgument(stored.kind), RedisArgument(stored.value), RedisArgument(stored.zone),
            RedisArgument(schedule.type), RedisArgument(bytes: payload), RedisArgument(maxAttempts),
            RedisArgument(schedule.catchUp.rawValue), schedule.skipIfRunning ? "1" : "0", RedisArgument(String(now)),
            RedisArgument(String(first)),
        ]
        let reply = try write(QueueScripts.scheduleAdd, calls: [(keys: keys.scriptKeys, arguments: arguments)])[0]
        switch reply {
        case .error(let text):
            throw JobQueueError(code: .redis, message: text, redisError: .server(text))
        case _ where reply.string == "exists":
            throw exists(schedule.name)
        case _ where reply.string == "ok":
            return try self.schedule(named: schedule.name)
        default:
            throw JobQueueError.protocolMismatch("schedule-add", reply)
        }
    }

    /// The queue's schedules, sorted by name, with the scheduler lease's holder.
    /// - Throws: ``JobQueueError`` `.redis`, `.protocolMismatch`.
    public func schedules() throws -> ScheduleListing {
        try listSchedules(named: "")
    }

    /// One schedule.
    /// - Throws: ``JobQueueError`` `.scheduleNotFound`, `.unreadableSchedule`, `.redis`.
    public func schedule(named scheduleName: String) throws -> Schedule {
        try NewSchedule.validateName(scheduleName)
        let listing = try listSchedules(named: scheduleName)
        if let reason = listing.unreadable[scheduleName] { throw unreadable(scheduleName, reason) }
        guard let found = listing.schedules.first else { throw notFound(scheduleName) }
        return found
    }

    /// Removes a schedule; jobs it enqueued stay.
    /// - Throws: ``JobQueueError`` `.scheduleNotFound`, `.redis`.
    public func removeSchedule(named scheduleName: String) throws {
        try NewSchedule.validateName(scheduleName)
        let reply = try redis {
            try connection.run(QueueScripts.scheduleRemove, keys: keys.scriptKeys, arguments: [RedisArgument(scheduleName)])
        }
        guard reply.integer == 1 else { throw notFound(scheduleName) }
    }

    /// Pauses a schedule: it fires nothing until resumed, and its ticks meanwhile are not caught up.
    /// - Throws: ``JobQueueError`` `.scheduleNotFound`, `.redis`.
    public func pauseSchedule(named scheduleName: String) throws {
        try NewSchedule.validateName(scheduleName)
        try setPaused(scheduleName, ["1", ""])
    }

    /// Resumes a paused schedule (or moves an unpaused one's next fire time to the first after now).
    /// - Returns: the schedule, with its next fire time.
    /// - Throws: ``JobQueueError`` `.scheduleNotFound`, `.unreadableSchedule`, `.redis`.
    @discardableResult
    public func resumeSchedule(named scheduleName: String) throws -> Schedule {
        try NewSchedule.validateName(scheduleName)
        let listing = try listSchedules(named: scheduleName)
        if let reason = listing.unreadable[scheduleName] { throw unreadable(scheduleName, reason) }
        guard let schedule = listing.schedules.first else { throw notFound(scheduleName) }
        guard let next = schedule.rule.nextFire(after: listing.now, anchor: schedule.createdAt) else {
            throw JobQueueError(code: .invalidSchedule, message: "\(schedule.rule) does not fire within the next \(CronExpression.searchDays / 366) years")
        }
        try setPaused(scheduleName, ["0", RedisArgument(String(next))])
        return try self.schedule(named: scheduleName)
    }

    private func setPaused(_ scheduleName: String, _ arguments: [RedisArgument]) throws {
        let reply = try redis {
            try connection.run(QueueScripts.scheduleSetPaused, keys: keys.scriptKeys, arguments: [RedisArgument(scheduleName)] + arguments)
        }
        guard reply.string == "ok" else { throw notFound(scheduleName) }
    }

    func listSchedules(named scheduleName: String) throws -> ScheduleListing {
        let reply = try redis {
            try connection.run(QueueScripts.scheduleList, keys: keys.scriptKeys, arguments: [RedisArgument(scheduleName)])
        }
        return try ScheduleListing(reply: reply)
    }

    private func exists(_ scheduleName: String) -> JobQueueError {
        JobQueueError(
            code: .scheduleExists,
            message: "queue \(name) already has a schedule named '\(scheduleName)': remove it first (jobq schedule remove \(name) \(scheduleName))")
    }

    private func unreadable(_ scheduleName: String, _ reason: String) -> JobQueueError {
        JobQueueError(code: .unreadableSchedule, message: "schedule '\(scheduleName)' of queue \(name) cannot be read: \(reason)")
    }

    private func notFound(_ scheduleName: String) -> JobQueueError {
        JobQueueError(code: .scheduleNotFound, message: "queue \(name) has no schedule named '\(scheduleName)'")
    }
}

/// A queue's schedules as read at one moment.
public struct ScheduleListing: Sendable, Equatable {
    /// When they were read (Redis clock, ms since the epoch).
    public var now: Int64
    /// Who holds the queue's scheduler lease (`host/pid` of a supervisor or `jobq schedule run`),
    /// if anyone.
    public var schedulerHolder: String?
    /// The schedules, sorted by name.
    public var schedules: [Schedule]
    /// Schedules this version cannot read (a rule written by a newer version), by name, with why;
    /// schedulers skip them.
    public var unreadable: [String: String]

    init(reply: RedisReply) throws {
        guard let parts = reply.array, parts.count == 4, let now = parts[0].integer, let entries = parts[3].array else {
            throw JobQueueError.protocolMismatch("schedule-list", reply)
        }
        self.now = now
        schedulerHolder = parts[1].string
        schedules = []
        unreadable = [:]
        for entry in entries {
            guard let items = entry.array, items.count == 3, let name = items[0].string else {
                throw JobQueueError.protocolMismatch("schedule-list", reply)
            }
            do {
                schedules.append(try Schedule(name: name, fields: Queue.fields(items[1]), lastJobState: items[2].string))
            } catch let error as JobQueueError {
                unreadable[name] = error.message
            }
        }
    }
}
