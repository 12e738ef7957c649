import ArgumentParser
import Foundation
import Glibc
import HumanUnits
import JobQueue
import Logging
import StatsRendering

struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Recurring jobs: add, list, show, pause, resume, remove schedules; run a scheduler.",
        discussion: """
        Schedules are stored in Redis with their queue. Every `jobq supervise` fires its queue's schedules; \
        on hosts without a supervisor run `jobq schedule run QUEUE`. However many run, each tick enqueues \
        exactly one job (see docs/schedules.md).
        """,
        subcommands: [
            ScheduleAddCommand.self, ScheduleListCommand.self, ScheduleShowCommand.self, ScheduleRemoveCommand.self,
            SchedulePauseCommand.self, ScheduleResumeCommand.self, ScheduleRunCommand.self,
        ]
    )
}

struct ScheduleAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a schedule: a job enqueued at every tick.",
        discussion: """
        Give --every (an interval of at least 1s, ticks anchored on the schedule's creation time) or \
        --cron (5 fields: minute hour day-of-month month day-of-week, read in --tz, default UTC). \
        --catch-up says what happens to ticks missed while no scheduler ran: none (drop them; a tick \
        less than a minute late still fires), one (one job for them all, the default) or all (a job \
        each, at most 100). --skip-if-running skips a tick while the schedule's previous job is \
        waiting, delayed or running (counted as skipped).

        Exit status: 0 added; 1 a schedule of that name exists, the payload is not JSON, or Redis \
        failed; 64 bad usage (a bad cron expression, time zone, interval, policy, name or \
        --max-attempts).
        """
    )

    @OptionGroup var redis: RedisOptions
    @OptionGroup var eviction: EvictionOptions
    @Argument(help: "The queue's name.") var queue: String
    @Argument(help: "The schedule's name (letters, digits, '.', '_', '-').") var name: String
    @Argument(help: "The payload of each job, as JSON text.") var payload: String = "{}"
    @Option(help: ArgumentHelp("Fire every interval: 30s, 15m, 4h, 1d.", valueName: "duration")) var every: String?
    @Option(help: ArgumentHelp("Fire when a cron expression matches, e.g. '0 */4 * * *'.", valueName: "expression")) var cron: String?
    @Option(help: ArgumentHelp("The time zone of --cron, e.g. Europe/Berlin.", valueName: "zone")) var tz: String?
    @Option(help: "The job type a worker dispatches on.") var type: String = "default"
    @Option(name: .customLong("max-attempts"), help: "Starts allowed per job (1-1000; default: 5).") var maxAttempts: Int?
    @Option(name: .customLong("catch-up"), help: ArgumentHelp("Missed ticks after downtime: none, one or all.", valueName: "policy")) var catchUp = "one"
    @Flag(name: .customLong("skip-if-running"), help: "Skip a tick while the previous job of the schedule waits or runs.") var skipIfRunning = false

    func validate() throws {
        _ = try makeSchedule()
    }

    func makeSchedule() throws -> NewSchedule {
        do {
            try NewSchedule.validateName(name)
        } catch let error as JobQueueError {
            throw ValidationError(error.message)
        }
        if (try? QueueName(queue)) == nil { throw ValidationError("'\(queue)' is not a valid queue name") }
        if let maxAttempts, !(1...1000).contains(maxAttempts) { throw ValidationError("--max-attempts must be from 1 to 1000") }
        guard let policy = CatchUpPolicy(rawValue: catchUp) else {
            throw ValidationError("--catch-up must be none, one or all, not '\(catchUp)'")
        }
        let rule: ScheduleRule
        do {
            switch (every, cron) {
            case (let every?, nil):
                if tz != nil { throw ValidationError("--tz goes with --cron; --every counts real time from the schedule's creation") }
                rule = try .interval(parseDuration(every, option: "--every"))
            case (nil, let cron?):
                rule = try .cron(cron, timeZone: tz)
            default:
                throw ValidationError("give either --every DURATION or --cron EXPRESSION")
            }
        } catch let error as JobQueueError {
            throw ValidationError(error.message)
        }
        return NewSchedule(name: name, rule: rule, payload: payload, type: type, maxAttempts: maxAttempts, catchUp: policy, skipIfRunning: skipIfRunning)
    }

    func run() throws {
        try reportingErrors {
            let queue = try redis.queue(queue, .writing(eviction))
            let schedule = try queue.addSchedule(makeSchedule())
            let listing = try queue.schedules()
            print("added schedule \(schedule.name) to queue \(queue.name): \(schedule.summaryLine(now: listing.now))")
        }
    }
}

struct ScheduleListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List a queue's schedules: rule, next run, last job and counts."
    )

    @OptionGroup var redis: RedisOptions
    @Argument(help: "The queue's name.") var queue: String
    @Flag(help: "Print JSON: {\"scheduler\": holder or null, \"schedules\": [...]} (fields as in docs/stats-json.md).") var json = false

    func run() throws {
        try reportingErrors {
            let listing = try redis.queue(queue, .reading).schedules()
            if json {
                print(try ScheduleListingJSON.encode(listing))
                return
            }
            if listing.schedules.isEmpty && listing.unreadable.isEmpty {
                print("queue \(queue) has no schedules")
                return
            }
            for schedule in listing.schedules { print("\(schedule.name): \(schedule.summaryLine(now: listing.now))") }
            for (name, reason) in listing.unreadable.sorted(by: { $0.key < $1.key }) {
                print("\(name): cannot be read by this version of jobq (\(reason)); it does not fire")
            }
            print("scheduler: " + (listing.schedulerHolder.map { "held by \($0)" } ?? "none running (start jobq supervise \(queue) or jobq schedule run \(queue))"))
        }
    }
}

struct ScheduleShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one schedule in full.")

    @OptionGroup var redis: RedisOptions
    @Argument(help: "The queue's name.") var queue: String
    @Argument(help: "The schedule's name.") var name: String

    func run() throws {
        try reportingErrors {
            let handle = try redis.queue(queue, .reading)
            let schedule = try handle.schedule(named: name)
            let listing = try handle.schedules()
            print(schedule.detailText(now: listing.now), terminator: "")
            print("scheduler     " + (listing.schedulerHolder.map { "held by \($0)" } ?? "none running"))
        }
    }
}

struct ScheduleRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a schedule; jobs it enqueued stay.")

    @OptionGroup var redis: RedisOptions
    @OptionGroup var eviction: EvictionOptions
    @Argument(help: "The queue's name.") var queue: String
    @Argument(help: "The schedule's name.") var name: String

    func run() throws {
        try reportingErrors {
            try redis.queue(queue, .writing(eviction)).removeSchedule(named: name)
            print("removed schedule \(name) of queue \(queue)")
        }
    }
}

struct SchedulePauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Pause a schedule: no tick fires until it is resumed, and those ticks are not caught up.")

    @OptionGroup var redis: RedisOptions
    @OptionGroup var eviction: EvictionOptions
    @Argument(help: "The queue's name.") var queue: String
    @Argument(help: "The schedule's name.") var name: String

    func run() throws {
        try reportingErrors {
            try redis.queue(queue, .writing(eviction)).pauseSchedule(named: name)
            print("paused schedule \(name) of queue \(queue)")
        }
    }
}

struct ScheduleResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume a paused schedule from its next tick after now.")

    @OptionGroup var redis: RedisOptions
    @OptionGroup var eviction: EvictionOptions
    @Argument(help: "The queue's name.") var queue: String
    @Argument(help: "The schedule's name.") var name: String

    func run() throws {
        try reportingErrors {
            let handle = try redis.queue(queue, .writing(eviction))
            let schedule = try handle.resumeSchedule(named: name)
            let listing = try handle.schedules()
            print("resumed schedule \(name) of queue \(queue): \(schedule.summaryLine(now: listing.now))")
        }
    }
}

struct ScheduleRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Fire the schedules of queues until SIGTERM/SIGINT, for hosts without a supervisor.",
        discussion: """
        Any number may run, on any hosts, beside supervisors: per queue, only the holder of the scheduler \
        lease fires, and each tick is enqueued once. Without QUEUE: every queue known when it starts. \
        Exit status: 0 after SIGTERM/SIGINT; 1 when no queue is known; 64 on bad usage.
        """
    )

    @OptionGroup var redis: RedisOptions
    @OptionGroup var eviction: EvictionOptions
    @Argument(help: "Queue names (default: every known queue).") var queues: [String] = []

    func validate() throws {
        for queue in queues where (try? QueueName(queue)) == nil { throw ValidationError("'\(queue)' is not a valid queue name") }
    }

    func run() throws {
        var handles: [Queue] = []
        try reportingErrors {
            let connection = try redis.connect(.writing(eviction))
            let names = try queues.isEmpty ? Queue.registeredNames(on: connection) : queues.map(QueueName.init)
            guard !names.isEmpty else { throw CommandFailure(.notFound, "no queue is known yet: name the queues to run the schedules of") }
            handles = names.map { Queue(name: $0, connection: connection) }
        }
        let scheduler = Scheduler(queues: handles)
        let signals = ShutdownSignals { _ in scheduler.stop() }
        defer { signals.cancel() }
        Logger(label: "jobq.scheduler").info("firing the schedules of \(handles.map(\.name.rawValue).joined(separator: ", ")) as \(scheduler.configuration.holder)")
        scheduler.run()
    }
}

/// The JSON of `jobq schedule list --json`.
enum ScheduleListingJSON {
    private struct Document: Encodable {
        var at: Int64
        var scheduler: String?
        var schedules: [Schedule]
        var unreadable: [String: String]

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(at, forKey: .at)
            try container.encode(scheduler, forKey: .scheduler)
            try container.encode(schedules, forKey: .schedules)
            if !unreadable.isEmpty { try container.encode(unreadable, forKey: .unreadable) }
        }

        enum CodingKeys: String, CodingKey {
            case at, scheduler, schedules
            case unreadable = "unreadable_schedules"
        }
    }

    static func encode(_ listing: ScheduleListing) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(Document(
            at: listing.now, scheduler: listing.schedulerHolder, schedules: listing.schedules, unreadable: listing.unreadable)), as: UTF8.self)
    }
}
