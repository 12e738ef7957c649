import ArgumentParser
import Foundation
import JobQueue

struct EnqueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enqueue",
        abstract: "Add jobs to a queue; prints each job's id on its own line.",
        discussion: """
        The payload is any JSON value: the PAYLOAD argument, --payload-file (- for stdin), or one \
        payload per line of --jsonl (- for stdin; blank lines skipped). Without any, the payload is {}. \
        A job refused because its --unique key is held prints the holder's id and a note on stderr.
        """
    )

    @OptionGroup var redis: RedisOptions
    @Argument(help: "The queue's name.") var queue: String
    @Argument(help: "The payload as JSON text.") var payload: String?
    @Option(name: .customLong("payload-file"), help: ArgumentHelp("Read the payload from a file (- for stdin).", valueName: "file")) var payloadFile: String?
    @Option(help: ArgumentHelp("Read one payload per line from a file (- for stdin).", valueName: "file")) var jsonl: String?
    @Option(help: "The job type a worker dispatches on.") var type: String = "default"
    @Option(help: "Run no earlier than this from now (e.g. 30s, 5m, 1h).") var delay: String?
    @Option(name: .customLong("max-attempts"), help: "Starts allowed before the job is dead-lettered (1-1000).") var maxAttempts: Int?
    @Option(help: "Refuse the job while another with this key is waiting, delayed or running.") var unique: String?
    @Option(help: "The job id (default: random). Not with --jsonl.") var id: String?
    @Option(help: "A named rate limiter the job draws tokens from (see jobq limit --key).") var limiter: String?
    @Option(name: .customLong("concurrency-key"), help: "Jobs with the same key never run at the same time.") var concurrencyKey: String?

    func validate() throws {
        let sources = [payload != nil, payloadFile != nil, jsonl != nil].filter { $0 }.count
        if sources > 1 { throw ValidationError("give the payload one way: PAYLOAD, --payload-file or --jsonl") }
        if jsonl != nil && id != nil { throw ValidationError("--id names one job; it cannot be used with --jsonl") }
        if jsonl != nil && unique != nil { throw ValidationError("--unique names one job; it cannot be used with --jsonl") }
        if let maxAttempts, !(1...1000).contains(maxAttempts) { throw ValidationError("--max-attempts must be from 1 to 1000") }
        if let delay { _ = try parseDuration(delay, option: "--delay") }
    }

    func run() throws {
        try reportingErrors {
            var options = EnqueueOptions(
                id: id, type: type, maxAttempts: maxAttempts, uniqueKey: unique, limiter: limiter, concurrencyKey: concurrencyKey)
            if let delay { options.delay = try parseDuration(delay, option: "--delay") }
            let queue = try redis.queue(self.queue)
            if let jsonl {
                try enqueueLines(from: jsonl, options: options, queue: queue)
                return
            }
            let text = try payloadFile.map(readText) ?? payload ?? "{}"
            report(try queue.enqueue(payload: text, options: options))
        }
    }

    private func enqueueLines(from path: String, options: EnqueueOptions, queue: Queue) throws {
        let text = try readText(path)
        let jobs: [NewJob]
        do {
            jobs = try JSONLines.payloads(in: text, source: path).map { NewJob(payload: $0, options: options) }
        } catch {
            throw UsageError("\(error); nothing was enqueued")
        }
        for start in stride(from: 0, to: jobs.count, by: 1000) {
            for result in try queue.enqueue(batch: Array(jobs[start..<min(start + 1000, jobs.count)])) { report(result) }
        }
    }

    private func report(_ result: EnqueueResult) {
        print(result.id)
        if case .duplicate(let holder) = result {
            printError("unique key '\(unique ?? "")' is held by job \(holder); not enqueued")
        }
    }

    private func readText(_ path: String) throws -> String {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else { throw UsageError("cannot read \(path)") }
            data = contents
        }
        guard let text = String(data: data, encoding: .utf8) else { throw UsageError("\(path) is not UTF-8 text") }
        return text
    }
}
