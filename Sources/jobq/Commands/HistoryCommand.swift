import ArgumentParser
import Foundation
import JobQueue

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List a queue's finished jobs, newest first: completed (where kept) and dead.",
        discussion: """
        Completed jobs are listed only where the queue keeps a history (jobq retention QUEUE \
        --keep-completed 24h/10000); dead letters always are (kept 7 days, 10,000 by default). \
        jobq show QUEUE ID gives everything about one of them.
        """
    )

    @OptionGroup var redis: RedisOptions
    @Argument(help: "The queue's name.") var queue: String
    @Option(help: "How many to list.") var limit: Int = 20
    @Flag(help: "Only jobs that failed (dead letters).") var failed = false
    @Flag(help: "Print a JSON array.") var json = false

    func validate() throws {
        if limit < 1 || limit > 10_000 { throw ValidationError("--limit must be from 1 to 10000") }
    }

    func run() throws {
        try reportingErrors {
            let records = try redis.queue(queue, .reading).history(limit: limit, failedOnly: failed)
            if json {
                print(try JSONText.encode(records))
            } else if records.isEmpty {
                print(failed ? "no failed jobs kept in \(queue)" : "no finished jobs kept in \(queue)")
            } else {
                for record in records { print(JobRecordText.historyLine(record)) }
            }
        }
    }
}

struct RetentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Show or set how many finished jobs a queue keeps, and for how long (stored in Redis).",
        discussion: """
        jobq retention QUEUE --keep-completed 24h/10000   keep completed jobs a day, at most 10,000 (the history)
        jobq retention QUEUE --keep-completed off         keep none (the default): a completed job is deleted
        jobq retention QUEUE --keep-dead 7d/10000         dead letters (the default: 7 days, 10,000)
        jobq retention QUEUE                              show the settings
        What is kept beyond a new setting is deleted at once; later the oldest go as new jobs finish.
        """
    )

    @OptionGroup var redis: RedisOptions
    @OptionGroup var eviction: EvictionOptions
    @Argument(help: "The queue's name.") var queue: String
    @Option(help: "AGE/COUNT of completed jobs kept (e.g. 24h/10000), or off.") var keepCompleted: String?
    @Option(help: "AGE/COUNT of dead letters kept (e.g. 7d/10000).") var keepDead: String?
    @Flag(help: "Print the settings as JSON.") var json = false

    func validate() throws {
        do {
            if let keepCompleted, keepCompleted != "off" { _ = try RetentionLimit.parse(keepCompleted) }
            if let keepDead { _ = try RetentionLimit.parse(keepDead) }
        } catch let error as JobQueueError {
            throw ValidationError(error.message)
        }
    }

    func run() throws {
        try reportingErrors {
            let handle = try redis.queue(queue, keepCompleted == nil && keepDead == nil ? .reading : .writing(eviction))
            var deleted = 0
            if let keepCompleted { deleted += try handle.keepCompleted(keepCompleted == "off" ? nil : RetentionLimit.parse(keepCompleted)) }
            if let keepDead { deleted += try handle.keepDeadLetters(RetentionLimit.parse(keepDead)) }
            let retention = try handle.retention()
            if json {
                print(try JSONText.encode(retention))
                return
            }
            print("completed: \(retention.completed.map { "kept \($0)" } ?? "not kept")")
            print("dead:      kept \(retention.dead)")
            if deleted > 0 { print("deleted \(deleted) finished job\(deleted == 1 ? "" : "s") beyond the new setting") }
        }
    }
}
