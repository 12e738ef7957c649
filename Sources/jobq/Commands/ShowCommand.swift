import ArgumentParser
import Foundation
import JobQueue

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a job in any state: waiting, delayed, running, completed or dead.",
        discussion: """
        A finished job shows its outcome, its times (enqueued, started, finished, duration), its \
        attempts, the worker that ran it last and its result. Completed jobs are found only where the \
        queue keeps a history (jobq retention QUEUE --keep-completed 24h/10000); dead letters are \
        kept 7 days by default.
        """
    )

    @OptionGroup var redis: RedisOptions
    @Argument(help: "The queue's name.") var queue: String
    @Argument(help: "The job id.") var id: String
    @Flag(help: "Print the job as JSON.") var json = false

    func run() throws {
        try reportingErrors {
            guard let record = try redis.queue(queue, .reading).job(id: id) else {
                throw CommandFailure(.notFound, "no job '\(id)' in queue '\(queue)' (completed jobs are kept only with jobq retention --keep-completed)")
            }
            print(json ? try JSONText.encode(record) : JobRecordText.render(record))
        }
    }
}

struct DeadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead",
        abstract: "List dead letters, newest first, with their reasons."
    )

    @OptionGroup var redis: RedisOptions
    @Argument(help: "The queue's name.") var queue: String
    @Option(help: "How many to list.") var limit: Int = 20
    @Flag(help: "Print a JSON array.") var json = false

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        try reportingErrors {
            let records = try redis.queue(queue, .reading).deadLetters(limit: limit)
            if json {
                print(try JSONText.encode(records))
            } else if records.isEmpty {
                print("no dead letters in \(queue)")
            } else {
                for record in records { print(JobRecordText.summaryLine(record)) }
            }
        }
    }
}
