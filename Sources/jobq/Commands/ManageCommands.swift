import ArgumentParser
import JobQueue

struct RetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Send dead letters back to the waiting list with a fresh attempt count."
    )

    @OptionGroup var redis: RedisOptions
    @Argument(help: "The queue's name.") var queue: String
    @Argument(help: "Ids of dead letters.") var ids: [String] = []
    @Flag(help: "Retry every dead letter.") var all = false

    func validate() throws {
        if all == !ids.isEmpty { throw ValidationError("give job ids or --all (not both)") }
    }

    func run() throws {
        try reportingErrors {
            let count = try redis.queue(queue).retryDead(ids: all ? nil : ids)
            print("requeued \(count) job\(count == 1 ? "" : "s")")
            if !all && count < ids.count { throw UsageError("\(ids.count - count) of the ids were not dead letters") }
        }
    }
}

struct CancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a waiting or delayed job (or delete a dead letter). Running jobs cannot be cancelled."
    )

    @OptionGroup var redis: RedisOptions
    @Argument(help: "The queue's name.") var queue: String
    @Argument(help: "The job id.") var id: String

    func run() throws {
        try reportingErrors {
            let state = try redis.queue(queue).cancel(id: id)
            print("cancelled \(id) (was \(state.rawValue))")
        }
    }
}

struct PauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Stop handing out jobs of a queue, on every host; running jobs finish."
    )

    @OptionGroup var redis: RedisOptions
    @Argument(help: "The queue's name.") var queue: String

    func run() throws {
        try reportingErrors {
            try redis.queue(queue).pause()
            print("paused \(queue)")
        }
    }
}

struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Hand out jobs of a queue again after pause."
    )

    @OptionGroup var redis: RedisOptions
    @Argument(help: "The queue's name.") var queue: String

    func run() throws {
        try reportingErrors {
            try redis.queue(queue).resume()
            print("resumed \(queue)")
        }
    }
}
