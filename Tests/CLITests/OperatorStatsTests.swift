import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

/// `jobq stats` as an operator runs it: a verdict first on each queue's block, JSON, Prometheus text,
/// --watch. Every state is made for real through the library.
@Suite("jobq stats") struct OperatorStatsTests {
    private func jobq(_ arguments: [String]) throws -> CommandRun {
        try CommandRun.run("jobq", arguments, environment: ["JOBQ_REDIS_URL": try TestRedis.url()])
    }

    /// One queue in each verdict state, in the order of `QueueVerdict.Kind.allCases`.
    private func queuesInEveryState() throws -> [(kind: QueueVerdict.Kind, queue: Queue)] {
        let ok = try TestRedis.queue("ok")
        try ok.enqueue(payload: "1")

        let crashLoop = try TestRedis.queue("crash-loop")
        for index in 0..<3 {
            _ = try crashLoop.recordWorkerExit(WorkerExitRecord(
                workerID: "w\(index)", host: "web1", pid: Int32(200 + index), exitStatus: nil, signal: "SIGKILL", oom: true,
                crash: true, cause: "OOM", runTimeMilliseconds: 900, cpuTimeMilliseconds: 800, peakMemoryBytes: 268_435_456))
        }
        try crashLoop.tripBreaker(reason: "3 crashes within 10m (last: OOM)", host: "web1", pid: 4100)

        let stuck = try TestRedis.queue("stuck")
        let now = try stuck.stats().at
        try stuck.connection.command(["LPUSH", RedisArgument(stuck.keys.wait), RedisArgument(#"{"payload":1,"enqueued_at":\#(now - 900_000)}"#)])

        let stopped = try TestRedis.queue("stopped")
        try stopped.requestStop(by: "ops@test", reason: "maintenance")

        let paused = try TestRedis.queue("paused")
        try paused.enqueue(payload: "1")
        try paused.pause()

        let backlog = try TestRedis.queue("backlog")
        _ = try backlog.enqueue(batch: (0..<30).map { NewJob(payload: "\($0)") })
        return [(.ok, ok), (.crashLoop, crashLoop), (.stuck, stuck), (.stopped, stopped), (.paused, paused), (.backlog, backlog)]
    }

    @Test func eachQueuesBlockStartsWithItsVerdictAndItsEvidenceInTextAndJSON() throws {
        let queues = try queuesInEveryState()
        let names = queues.map(\.queue.name.rawValue)
        let text = try jobq(["stats"] + names)
        #expect(text.status == 0, "\(text.standardError)")
        var blocks = text.standardOutput.components(separatedBy: "\n\n")
        #expect(blocks.first?.hasPrefix("redis: OK\n") == true, "Redis's own block comes first")
        blocks.removeFirst()
        #expect(blocks.count == queues.count)
        for ((kind, queue), block) in zip(queues, blocks) {
            #expect(block.hasPrefix("\(queue.name): \(kind.title)\n"), "\(block)")
            #expect(block.split(separator: "\n").allSatisfy { $0.count <= 80 || $0.hasPrefix("    $ ") }, "\(block)")
        }
        #expect(blocks[1].contains("breaker tripped") && blocks[1].contains("3 crashes within 10m (last: OOM)"))
        #expect(blocks[1].contains("last crashes: OOM (3×); the latest") && blocks[1].contains("    $ jobq breaker reset \(names[1])"))
        #expect(blocks[1].contains("last hour   0 launches, 3 crashes, 3 OOM kills"))
        #expect(blocks[2].contains("1 waiting (the oldest for 15m") && blocks[2].contains("no live worker; supervisor: none"))
        #expect(blocks[3].contains("stop requested by ops@test: maintenance") && blocks[3].contains("    $ jobq resume \(names[3])"))
        #expect(blocks[4].contains("queue       paused; no stop request"))
        #expect(blocks[5].contains("BACKLOG: work arrives faster than it is processed"))
        #expect(blocks[5].contains("the waiting list grew by\n      about 30"), "evidence wrapped with a hanging indent")

        let json = try jobq(["stats", "--json"] + names)
        #expect(json.status == 0)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let entries = try #require(document["queues"] as? [[String: Any]])
        #expect(entries.map { $0["queue"] as? String } == names)
        #expect(entries.map { $0["verdict"] as? String } == queues.map(\.kind.rawValue))
        let crash = try #require((entries[1]["verdicts"] as? [[String: Any]])?.first)
        #expect(crash["verdict"] as? String == "crash_loop")
        #expect((crash["evidence"] as? [String])?.isEmpty == false)
        #expect((entries[1]["supervisor"] as? [String: Any])?["breaker_tripped"] as? Bool == true)
        #expect((entries[5]["jobs"] as? [String: Any])?["waiting"] as? Int == 30)
        #expect((entries[2]["oldest_waiting"] as? [String: Any])?["age_ms"] as? Int ?? 0 >= 900_000)
    }

    @Test func prometheusOutputIsTheTextExpositionFormatWithEachMetricDescribedOnce() throws {
        let queues = try queuesInEveryState()
        let run = try jobq(["stats", "--prometheus"] + queues.map(\.queue.name.rawValue))
        #expect(run.status == 0, "\(run.standardError)")
        let sample = try NSRegularExpression(pattern: #"^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*)\} (-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)$"#)
        var described: [String: (help: Int, type: String?)] = [:]
        var finished: Set<String> = []
        var current: String?
        var values: [String: Double] = [:]
        for line in run.lines {
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
                try #require(parts.count == 4, "\(line)")
                let name = parts[2]
                #expect(!finished.contains(name), "\(name) described again after its samples")
                if parts[1] == "HELP" {
                    described[name, default: (0, nil)].help += 1
                } else {
                    #expect(described[name]?.type == nil, "TYPE of \(name) given twice")
                    #expect(["gauge", "counter"].contains(parts[3]))
                    described[name, default: (0, nil)].type = parts[3]
                    if parts[3] == "counter" { #expect(name.hasSuffix("_total")) }
                }
                if let current, current != name { finished.insert(current) }
                current = name
                continue
            }
            let match = try #require(sample.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)), "not a sample line: \(line)")
            let name = String(line[Range(match.range(at: 1), in: line)!])
            #expect(name == current, "\(name) sampled away from its HELP and TYPE")
            #expect(described[name]?.help == 1 && described[name]?.type != nil)
            values[String(line.split(separator: " ")[0])] = Double(line[Range(match.range(at: 3), in: line)!])
        }
        #expect(described.count >= 20)
        for (kind, queue) in queues {
            let label = "queue=\"\(queue.name)\""
            let states = values.filter { $0.key.hasPrefix("jobq_supervisor_state{\(label),") }
            #expect(states.count == 9 && states.values.filter { $0 == 1 }.count == 1)
            #expect(values["jobq_verdict{\(label),verdict=\"\(kind.rawValue)\"}"] == 1)
        }
        let crash = "queue=\"\(queues[1].queue.name)\""
        #expect(values["jobq_supervisor_state{\(crash),state=\"breaker\"}"] == 1)
        #expect(values["jobq_worker_oom_kills_total{\(crash)}"] == 3)
        #expect(values["jobq_waiting_jobs{queue=\"\(queues[5].queue.name)\"}"] == 30)
        #expect(values["jobq_paused{queue=\"\(queues[4].queue.name)\"}"] == 1)
    }

    @Test func watchRedrawsEveryIntervalAndSeparatesBlocksWhenNotATerminal() throws {
        let queue = try TestRedis.queue()
        try queue.enqueue(payload: "1")
        let start = ContinuousClock.now
        let run = try jobq(["stats", queue.name.rawValue, "--watch", "0.3", "--watch-count", "3"])
        #expect(run.status == 0)
        #expect(ContinuousClock.now - start >= .milliseconds(600))
        #expect(run.standardOutput.components(separatedBy: "jobq stats at ").count == 4)
        #expect(run.standardOutput.components(separatedBy: "\(queue.name): OK\n").count == 4)
        #expect(!run.standardOutput.contains("\u{1B}["), "no screen clearing when stdout is not a terminal")
    }

    @Test func withoutNamesEveryKnownQueueIsShown() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let connection = try RedisConnection(configuration: RedisConfiguration(url: server.url))
        let none = try CommandRun.run("jobq", ["stats", "--redis", server.url])
        #expect(none.standardOutput.hasPrefix("no queues known yet"))
        for name in ["beta", "alpha"] { try Queue(name: try QueueName(name), connection: connection).enqueue(payload: "1") }
        let all = try CommandRun.run("jobq", ["stats", "--redis", server.url])
        #expect(all.lines.filter { $0.hasSuffix(": OK") && !$0.hasPrefix("redis:") } == ["alpha: OK", "beta: OK"])
        let unknown = try CommandRun.run("jobq", ["stats", "gamma", "--redis", server.url])
        #expect(unknown.status == 1, "a queue that never existed is not an OK queue")
        #expect(unknown.standardError == "jobq: no queue 'gamma': nothing has ever written to it (known queues: alpha, beta)\n")
    }

    @Test func badUsageIsRefusedWithStatus64() throws {
        #expect(try jobq(["stats", "--json", "--prometheus"]).status == 64)
        #expect(try jobq(["stats", "--watch", "0"]).status == 64)
        #expect(try jobq(["stats", "--watch-count", "2"]).status == 64)
        #expect(try jobq(["stats", "bad name"]).status == 64)
    }
}
