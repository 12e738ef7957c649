import Foundation
import Testing
import JobqTestSupport
import RedisClient

/// `jobq bench` end to end on a private server (its memory rows read `used_memory`, which other
/// tests' writes would disturb): every row `make bench` reads by name is there, with a figure, and
/// the server is left as it was found.
@Suite struct BenchCommandTests {
    @Test func aShortRunGivesEveryRowMakeBenchReadsAndLeavesNoKeys() throws {
        let server = try RedisServer()
        let run = try CommandRun.run(
            "jobq",
            ["bench", "--jobs", "200", "--rounds", "2", "--latency-samples", "10", "--command-jobs", "0", "--memory-jobs", "2000", "--json"],
            environment: ["JOBQ_REDIS_URL": server.url])
        #expect(run.status == 0, "\(run.standardError)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [[String: Any]])
        var values: [String: Double] = [:]
        for row in rows { values[row["name"] as? String ?? ""] = row["value"] as? Double }
        for name in [
            "enqueue, one at a time", "enqueue, batches of 100", "drain, one worker, no-op", "enqueue-to-start latency p50",
            "enqueue-to-start latency p99", "drain, one worker, no-op, prefetch 32", "Redis memory per waiting job",
        ] {
            let value = values[name] ?? 0
            #expect(value > 0, "row \(name): \(value)")
        }
        let perJob = try #require(values["Redis memory per waiting job"])
        let entry = try #require(values["Redis memory, bare list entry"])
        #expect(perJob > entry && perJob < 120, "a small job costs more than a bare list entry and at most 120 B: \(perJob) B")
        #expect(try setupConnection(server.url).command(["DBSIZE"]) == .integer(0), "the bench queue's keys are deleted")
    }

    @Test func badSizesAreUsageErrors() throws {
        for arguments in [["--memory-jobs", "-1"], ["--jobs", "10"], ["--rounds", "0"]] {
            let run = try CommandRun.run("jobq", ["bench"] + arguments, environment: ["JOBQ_REDIS_URL": "redis://127.0.0.1:1"])
            #expect(run.status == 64, "\(arguments): \(run.status) \(run.standardError)")
        }
    }
}
