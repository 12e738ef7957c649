import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

/// `jobq` and a worker given one master's address of a three-master cluster, as a user would.
@Suite("jobq against a Redis Cluster", .serialized) struct ClusterCLITests {
    @Test func fiveQueuesOnThreeMastersAreEnqueuedDrainedAndReported() throws {
        let cluster = try RedisCluster()
        let names = try cluster.queueNamesOnEachNode() + cluster.queueNamesOnEachNode().prefix(2)
        let owners = try Set(names.map { try cluster.owner(ofSlot: cluster.slot(of: QueueKeys(queue: $0).base)).port })
        #expect(names.count == 5 && owners.count == 3)
        for (index, name) in names.enumerated() {
            let url = cluster.nodes[index % 3].url
            let jobs = (0..<20).map { #"{"n":\#($0)}"# }.joined(separator: "\n") + "\n"
            let run = try CommandRun.run("jobq", ["enqueue", name.rawValue, "--jsonl", "-"], environment: ["JOBQ_REDIS_URL": url], input: jobs)
            #expect(run.status == 0, "\(run.standardError)")
            #expect(run.lines.count == 20)
        }
        let external = try cluster.queueNamesOnEachNode()[2]
        let pushed = try CommandRun.run("jobq", ["stats", external.rawValue], environment: ["JOBQ_REDIS_URL": cluster.url])
        #expect(pushed.status == 1, "a queue nothing wrote to is unknown")
        let raw = try RedisConnection(configuration: RedisConfiguration(url: cluster.nodes[2].url))
        try raw.command(["LPUSH", RedisArgument(QueueKeys(queue: external).wait), #"{"id":"e1","type":"t","payload":{}}"#])

        let logs = names.map { _ in ExampleWorker.temporaryLog() }
        defer { for log in logs { try? FileManager.default.removeItem(at: log) } }
        let workers = try zip(names, logs).enumerated().map { index, pair in
            try ExampleWorker.start(queue: pair.0, redisURL: cluster.nodes[(index + 1) % 3].url, log: pair.1, arguments: ["--idle-exit", "2"])
        }
        for worker in workers { worker.waitUntilExit() }
        #expect(workers.allSatisfy { $0.terminationStatus == 0 })
        #expect(logs.map { Set(ExampleWorker.runs(in: $0).map(\.n)).count } == Array(repeating: 20, count: 5))

        let stats = try CommandRun.run("jobq", ["stats", "--json"], environment: ["JOBQ_REDIS_URL": cluster.nodes[1].url])
        #expect(stats.status == 0, "\(stats.standardError)")
        let document = try QueueStats.decodeJSONDocument(Data(stats.standardOutput.utf8))
        let byName = Dictionary(uniqueKeysWithValues: document.map { ($0.queue, $0) })
        for name in names {
            #expect(byName[name.rawValue]?.counters.total.processed == 20, "\(name)")
            #expect(byName[name.rawValue]?.jobs.waiting == 0, "\(name)")
        }
        #expect(byName[external.rawValue]?.jobs.waiting == 1, "the queue only another client pushed to is reported")
        let text = try CommandRun.run("jobq", ["stats"], environment: ["JOBQ_REDIS_URL": cluster.nodes[2].url])
        #expect(text.status == 0)
        #expect(names.allSatisfy { text.standardOutput.contains("\($0): OK") })
    }
}
