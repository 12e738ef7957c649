import ArgumentParser
import Foundation
import JobQueue
import StatsRendering

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show queues at a glance: a verdict (OK, CRASH LOOP, STUCK, STOPPED, PAUSED, BACKLOG), jobs, throughput, workers, supervisor.",
        discussion: """
        Without QUEUE: every known queue (a queue is known once a jobq command or library call wrote to it). \
        Each queue costs one Redis call whatever its length. --json prints the document described in \
        docs/stats-json.md; --prometheus prints the text exposition format for node_exporter's textfile \
        collector. --watch N redraws every N seconds until interrupted.
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
            let connection = try redis.connect()
            let clears = isatty(STDOUT_FILENO) == 1
            var drawn = 0
            while true {
                let names = try queues.isEmpty ? Queue.registeredNames(on: connection) : queues.map(QueueName.init)
                let stats = try QueueStats.read(names, on: connection)
                var output = try render(stats)
                if watch != nil {
                    let title = json || prometheus ? "" : "jobq stats at \(Timestamp.render(stats.first?.at ?? Int64(Date().timeIntervalSince1970 * 1000)))\n\n"
                    output = (clears ? "\u{1B}[H\u{1B}[2J" : drawn == 0 ? "" : "\n") + title + output
                }
                FileHandle.standardOutput.write(Data(output.utf8))
                drawn += 1
                guard let watch, drawn < (watchCount ?? .max) else { return }
                Thread.sleep(forTimeInterval: watch)
            }
        }
    }

    private func render(_ stats: [QueueStats]) throws -> String {
        if json { return try QueueStats.jsonDocument(stats) + "\n" }
        if prometheus { return QueueStats.prometheusText(stats) }
        if stats.isEmpty { return "no queues known yet: a queue appears once a jobq command or library call writes to it\n" }
        return stats.map { $0.renderText() }.joined(separator: "\n")
    }
}
