import ArgumentParser
import Foundation
import JobQueue
import RedisClient
import StatsRendering

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show queues at a glance: a verdict (OK, LOST, CRASH LOOP, STUCK, STOPPED, PAUSED, BACKLOG), jobs, throughput, workers, supervisor.",
        discussion: """
        Without QUEUE: every known queue (a queue is known once a jobq command or library call wrote to it) \
        and every queue with waiting jobs, found with SCAN on each Redis primary (about one round trip per \
        1,000 keys). Each queue costs two Redis calls (figures, schedules) whatever its length; a queue that cannot be read is \
        reported on stderr (exit status 1) without hiding the others. --json prints the document described in \
        docs/stats-json.md; --prometheus prints the text exposition format for node_exporter's textfile \
        collector. --watch N redraws every N seconds until interrupted. A QUEUE that nothing has ever \
        written to is an error (exit status 1), not an empty queue that looks OK. Redis's own figures come \
        first: its eviction policy (EVICTS when it may delete jobs), memory against maxmemory and keys evicted.
        """
    )

    @OptionGroup var redis: RedisOptions
    @Argument(help: "Queue names (default: every known queue).") var queues: [String] = []
    @Flag(help: "Print the stable JSON document (docs/stats-json.md).") var json = false
    @Flag(help: "Print metrics in the Prometheus text format.") var prometheus = false
    @Option(help: ArgumentHelp("Redraw every N seconds until interrupted.", valueName: "seconds")) var watch: Double?
    @Option(name: .customLong("watch-count"), help: .hidden) var watchCount: Int?

    func validate() throws {
        if json && prometheus { throw ValidationError("--json and --prometheus cannot be combined") }
        if let watch, !(watch > 0 && watch.isFinite) { throw ValidationError("--watch must be a number of seconds above 0") }
        if watchCount != nil && watch == nil { throw ValidationError("--watch-count goes with --watch") }
        for queue in queues where (try? QueueName(queue)) == nil { throw ValidationError("'\(queue)' is not a valid queue name") }
    }

    func run() throws {
        try reportingErrors {
            let connection = try redis.connect(.reading)
            if !queues.isEmpty { try refuseUnknownQueues(on: connection) }
            let clears = isatty(STDOUT_FILENO) == 1
            var drawn = 0
            var failed = false
            while true {
                let names = try queues.isEmpty ? Queue.knownNames(on: connection) : queues.map(QueueName.init)
                let results = try QueueStats.readEach(names, on: connection)
                let stats = results.compactMap { try? $0.get() }
                for case .failure(let error) in results {
                    printError(error.description)
                    failed = true
                }
                var output = try render(stats, redis: RedisMemory.read(on: connection), at: connection.configuration)
                if watch != nil {
                    let title = json || prometheus ? "" : "jobq stats at \(Timestamp.render(stats.first?.at ?? Int64(Date().timeIntervalSince1970 * 1000)))\n\n"
                    output = (clears ? "\u{1B}[H\u{1B}[2J" : drawn == 0 ? "" : "\n") + title + output
                }
                FileHandle.standardOutput.write(Data(output.utf8))
                drawn += 1
                guard let watch, drawn < (watchCount ?? .max) else {
                    if failed { throw ExitCode(JobqExitStatus.failure) }
                    return
                }
                Thread.sleep(forTimeInterval: watch)
            }
        }
    }

    /// Fails when a named queue has never existed: not in the registry of known queues, with no
    /// jobs, no live worker and no supervisor record.
    private func refuseUnknownQueues(on connection: RedisConnection) throws {
        let known = Set(try Queue.registeredNames(on: connection))
        let unregistered = try queues.map(QueueName.init).filter { !known.contains($0) }
        let unknown = try QueueStats.read(unregistered, on: connection).filter(\.showsNoTrace).map(\.queue)
        guard !unknown.isEmpty else { return }
        let names = unknown.map { "'\($0)'" }.joined(separator: ", ")
        let sorted = try Queue.knownNames(on: connection).map(\.rawValue)
        let list = sorted.isEmpty ? "none yet" : sorted.prefix(5).joined(separator: ", ") + (sorted.count > 5 ? " and \(sorted.count - 5) more" : "")
        throw CommandFailure(
            .notFound,
            "no queue \(names): nothing has ever written to \(unknown.count == 1 ? "it" : "them") (known queues: \(list))")
    }

    private func render(_ stats: [QueueStats], redis: RedisMemory, at server: RedisConfiguration) throws -> String {
        if json { return try QueueStats.jsonDocument(stats, redis: redis) + "\n" }
        if prometheus { return QueueStats.prometheusText(stats, redis: (server.description, redis)) }
        if stats.isEmpty { return "no queues known yet: a queue appears once a jobq command or library call writes to it, or a job waits in it\n" }
        return ([redis.renderText()] + stats.map { $0.renderText() }).joined(separator: "\n")
    }
}
