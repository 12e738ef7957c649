import ArgumentParser
import Benchmarks
import Foundation
import JobQueue
import RedisClient

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure jobq against raw Redis round trips on the same server, as ratios.",
        discussion: """
        Uses a fresh queue named bench-<random> and deletes its keys afterwards. Build with -c release \
        for meaningful figures. Throughput is measured in rounds, each timing every row moments \
        after its baseline; rows show medians over the rounds, and each ratio is the median of the \
        per-round ratios, so the ratios compare across machines and survive a busy host. The last two \
        rows drain jobs through a Python command (/usr/bin/python3, skipped without it) whose start \
        costs 50 ms: one process per job, then one persistent process (ingest-worker --persistent). \
        The memory rows leave --memory-jobs jobs waiting and read used_memory before and after: run \
        them on a server no one else writes to.
        """
    )

    @OptionGroup var redis: RedisOptions
    @OptionGroup var eviction: EvictionOptions
    @Option(help: "Operations per throughput measurement, over all rounds.") var jobs: Int = 20_000
    @Option(help: "Rounds the throughput measurements are split into.") var rounds: Int = 10
    @Option(name: .customLong("batch-size"), help: "Jobs per pipelined batch.") var batchSize: Int = 100
    @Option(name: .customLong("latency-samples"), help: "Jobs sent one at a time for the latency figures.") var latencySamples: Int = 500
    @Option(name: .customLong("command-jobs"), help: "Jobs a Python command started per job runs, for the persistent-process row (the persistent process runs 25 times as many); 0 skips the row.")
    var commandJobs: Int = 40
    @Option(name: .customLong("memory-jobs"), help: "Jobs left waiting to measure Redis memory per job (run on a server no one else writes to); 0 skips the row.")
    var memoryJobs: Int = 20_000
    @Flag(help: "Print the rows as JSON.") var json = false

    func validate() throws {
        if jobs < 100 { throw ValidationError("--jobs must be at least 100") }
        if batchSize < 1 || batchSize > 10_000 { throw ValidationError("--batch-size must be from 1 to 10000") }
        if latencySamples < 10 { throw ValidationError("--latency-samples must be at least 10") }
        if rounds < 1 || rounds > 1000 { throw ValidationError("--rounds must be from 1 to 1000") }
        if commandJobs < 0 || commandJobs > 10_000 { throw ValidationError("--command-jobs must be from 0 to 10000") }
        if memoryJobs < 0 || memoryJobs > 1_000_000 { throw ValidationError("--memory-jobs must be from 0 to 1000000") }
    }

    func run() throws {
        try reportingErrors {
            var configuration = QueueBenchmark.Configuration()
            configuration.jobs = jobs
            configuration.batchSize = batchSize
            configuration.latencySamples = latencySamples
            configuration.rounds = rounds
            configuration.commandJobs = commandJobs
            configuration.memoryJobs = memoryJobs
            let benchmark = QueueBenchmark(redis: try redis.resolve(.writing(eviction)), configuration: configuration)
            let rows = try benchmark.run { line in
                if !json { FileHandle.standardError.write(Data("… \(line)\n".utf8)) }
            }
            if json {
                print(try JSONText.encode(rows))
                return
            }
            print(BenchTable.render(rows))
        }
    }
}

enum BenchTable {
    static func render(_ rows: [QueueBenchmark.Result]) -> String {
        let nameWidth = max(30, rows.map(\.name.count).max() ?? 0)
        var lines = ["\("measurement".padding(toLength: nameWidth, withPad: " ", startingAt: 0))  \("value".leftPadded(12))  ratio    baseline"]
        for row in rows {
            let value = String(format: row.unit == "µs" ? "%.0f µs" : row.unit == "B" ? "%.0f B" : "%.0f/s", row.value)
            let ratio = row.ratio.map { String(format: "%.2f", $0) } ?? "-"
            lines.append("\(row.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0))  \(value.leftPadded(12))  \(ratio.padding(toLength: 7, withPad: " ", startingAt: 0))  \(row.baseline ?? "")")
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
