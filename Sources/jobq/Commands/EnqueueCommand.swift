import ArgumentParser
import Foundation
import JobQueue
import RedisClient

struct EnqueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enqueue",
        abstract: "Add jobs to a queue; prints each job's id on its own line.",
        discussion: """
        The payload is any JSON value: the PAYLOAD argument, --payload-file (- for stdin), or one \
        payload per line of --jsonl (- for stdin; blank lines skipped). Without any, the payload is {}. \
        A job message (the payload and the job's fields) is at most 1 MiB; a larger --payload-file is \
        refused before it is read.

        A job refused because its --unique key is held is not enqueued: nothing is printed on stdout, \
        stderr names the job that holds the key, and the exit status is 5. With --json, each job is one \
        line of JSON: {"id": ID, "status": "enqueued"} or {"holder_id": ID, "status": "refused", \
        "unique_key": KEY}.

        With --durable, the command returns only once a replica has the jobs (Redis WAIT), so that a \
        failover cannot lose them; when no replica confirms within --durable-timeout the jobs are on \
        the master only, and the exit status is 6.

        Exit status: 0 enqueued; 1 failed (Redis, a bad payload or line, an unreadable file; nothing \
        was enqueued, except as said below for --jsonl); 5 refused, the --unique key is held; 6 enqueued but not confirmed by a replica \
        (--durable); 64 bad usage (options, queue name, Redis URL); 75 Redis is out of memory \
        (maxmemory) and refused the jobs; 78 Redis may evict keys and --allow-eviction was not given. \
        With --jsonl, jobs go in batches of 500, each enqueued whole or not at all: after a refusal or \
        a lost connection mid-way, stderr says how many lines were handled (their ids are printed).
        """
    )

    @OptionGroup var redis: RedisOptions
    @OptionGroup var eviction: EvictionOptions
    @Argument(help: "The queue's name.") var queue: String
    @Argument(help: "The payload as JSON text.") var payload: String?
    @Option(name: .customLong("payload-file"), help: ArgumentHelp("Read the payload from a file (- for stdin); at most 1 MiB.", valueName: "file")) var payloadFile: String?
    @Option(help: ArgumentHelp("Read one payload per line from a file (- for stdin).", valueName: "file")) var jsonl: String?
    @Option(help: "The job type a worker dispatches on.") var type: String = "default"
    @Option(parsing: .unconditional, help: "Run no earlier than this from now (e.g. 30s, 5m, 1h).") var delay: String?
    @Option(name: .customLong("max-attempts"), help: "Starts allowed before the job is dead-lettered (1-1000).") var maxAttempts: Int?
    @Option(help: "Refuse the job while another with this key is waiting, delayed or running (exit status 5).") var unique: String?
    @Option(help: "The job id (default: random). Not with --jsonl.") var id: String?
    @Option(help: "A named rate limiter the job draws tokens from (see jobq limit --key).") var limiter: String?
    @Option(name: .customLong("concurrency-key"), help: "Jobs with the same key never run at the same time.") var concurrencyKey: String?
    @Option(help: "high, normal or low: waiting high jobs are taken before normal ones, normal before low (default normal).") var priority: JobPriority = .normal
    @Flag(help: "Print one JSON object per job: its id and whether it was enqueued or refused.") var json = false
    @Flag(help: "Return only once a replica has the jobs (WAIT); exit status 6 when none confirms in time.") var durable = false
    @Option(name: .customLong("durable-timeout"), parsing: .unconditional, help: "How long --durable waits for a replica (default 2s; under the 10s command timeout).") var durableTimeout: String?

    func validate() throws {
        let sources = [payload != nil, payloadFile != nil, jsonl != nil].filter { $0 }.count
        if sources > 1 { throw ValidationError("give the payload one way: PAYLOAD, --payload-file or --jsonl") }
        if jsonl != nil && id != nil { throw ValidationError("--id names one job; it cannot be used with --jsonl") }
        if jsonl != nil && unique != nil { throw ValidationError("--unique names one job; it cannot be used with --jsonl") }
        if let maxAttempts, !(1...1000).contains(maxAttempts) { throw ValidationError("--max-attempts must be from 1 to 1000") }
        if let delay, delay.trimmingCharacters(in: .whitespaces).hasPrefix("-") {
            throw ValidationError("--delay: negative delays are not allowed ('\(delay)'); a job runs no earlier than now")
        }
        if let delay { _ = try parseDuration(delay, option: "--delay") }
        if durableTimeout != nil && !durable { throw ValidationError("--durable-timeout applies to --durable only") }
        if let durableTimeout, try parseDuration(durableTimeout, option: "--durable-timeout") >= RedisConfiguration().commandTimeout {
            throw ValidationError("--durable-timeout must be shorter than the Redis command timeout (10s)")
        }
    }

    func run() throws {
        try reportingErrors {
            var options = EnqueueOptions(
                id: id, type: type, maxAttempts: maxAttempts, uniqueKey: unique, limiter: limiter, concurrencyKey: concurrencyKey)
            if let delay { options.delay = try parseDuration(delay, option: "--delay") }
            options.durable = durable
            options.priority = priority
            var configuration = Queue.Configuration()
            if let durableTimeout { configuration.durableTimeout = try parseDuration(durableTimeout, option: "--durable-timeout") }
            let queue = try redis.queue(self.queue, .writing(eviction), configuration: configuration)
            if let jsonl {
                try enqueueLines(from: jsonl, options: options, queue: queue)
                return
            }
            let limit = queue.configuration.maxMessageBytes
            let text = try payloadFile.map { try InputFile.read($0, limit: limit, purpose: "a job message") } ?? payload ?? "{}"
            if case .duplicate = try report(try queue.enqueue(payload: text, options: options)) {
                throw ExitCode(JobqExitStatus.uniqueKeyHeld)
            }
        }
    }

    private func enqueueLines(from path: String, options: EnqueueOptions, queue: Queue) throws {
        let text = try InputFile.read(path, limit: nil, purpose: "a JSON Lines file")
        let jobs: [NewJob]
        do {
            jobs = try JSONLines.payloads(in: text, source: path == "-" ? "stdin" : path).map { NewJob(payload: $0, options: options) }
        } catch {
            throw CommandFailure(.invalidInput, "\(error); nothing was enqueued")
        }
        // One script call per batch: each is written whole or not at all, so a refusal mid-way
        // (Redis out of memory) leaves exactly the jobs reported so far.
        var done = 0
        for start in stride(from: 0, to: jobs.count, by: Queue.enqueueCallSize) {
            let results: [EnqueueResult]
            do {
                results = try queue.enqueue(batch: Array(jobs[start..<min(start + Queue.enqueueCallSize, jobs.count)]))
            } catch {
                if done == 0 { throw error }
                throw EnqueueRefused(cause: error, done: done, total: jobs.count)
            }
            for result in results { try report(result) }
            done += results.count
        }
    }

    /// Prints what became of a job: its id (or one JSON line with --json); a refusal goes to stderr.
    @discardableResult
    private func report(_ result: EnqueueResult) throws -> EnqueueResult {
        switch result {
        case .enqueued(let id):
            print(json ? try EnqueueReport(id: id).line() : id)
        case .duplicate(let holder):
            if json { print(try EnqueueReport(holderID: holder, uniqueKey: unique ?? "").line()) }
            printError("unique key '\(unique ?? "")' is held by job \(holder); not enqueued")
        }
        return result
    }
}

/// A `--jsonl` enqueue that Redis refused part way (out of memory, connection lost): the jobs of
/// the earlier batches are enqueued (their ids were printed), the rest are not.
struct EnqueueRefused: Error, CustomStringConvertible {
    /// Why the rest was not enqueued.
    let cause: any Error
    /// Lines handled (enqueued, or refused for a held unique key) before the refusal.
    let done: Int
    /// Lines in the input.
    let total: Int

    var description: String {
        if (cause as? JobQueueError)?.code == .notReplicated {
            return "\(cause); \(done) of \(total) lines were handled and confirmed before that (their ids are printed); "
                + "the batch named above is on the master only, and the lines after it were not enqueued"
        }
        return "\(cause); \(done) of \(total) lines were handled before that (their ids are printed), the other \(total - done) were not enqueued"
    }
}

/// One line of `jobq enqueue --json`: a job enqueued, or refused because its unique key is held.
struct EnqueueReport: Encodable {
    /// `enqueued` or `refused`.
    let status: String
    /// The new job's id, when enqueued.
    let id: String?
    /// The job holding the unique key, when refused.
    let holderID: String?
    /// The unique key that was held, when refused.
    let uniqueKey: String?

    init(id: String) {
        (status, self.id, holderID, uniqueKey) = ("enqueued", id, nil, nil)
    }

    init(holderID: String, uniqueKey: String) {
        (status, id, self.holderID, self.uniqueKey) = ("refused", nil, holderID, uniqueKey)
    }

    /// The report as one line of JSON, keys sorted, absent fields left out.
    func line() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

extension JobPriority: ExpressibleByArgument {}
