import Foundation
import JobQueue
import JobqTestSupport
import Processes
import RedisClient
import Testing

/// `jobq diagnose` as an operator runs it: a recorded host replayed with `--root` and the
/// recording's stand-in `systemctl` and `df` first on PATH, against a private Redis.
@Suite struct OperationsDiagnoseTests {
    private func diagnose(_ fixture: String, redis: String, json: Bool = false) throws -> (exit: ProcessExit, output: String, error: String) {
        let root = HostFixture.root(fixture)
        return try runJobq(
            ["diagnose", "--root", root, "--redis", redis] + (json ? ["--json"] : []),
            environment: ["PATH": "\(root)/bin:/usr/bin:/bin"])
    }

    /// A queue whose supervisor crashed its worker five times and tripped the breaker.
    private func crashLoopingQueue(_ name: String, on server: RedisServer) throws {
        let queue = Queue(name: try QueueName(name), connection: try RedisConnection(configuration: RedisConfiguration(url: server.url)))
        try queue.enqueue(payload: #"{"path":"/srv/kb/a.md"}"#)
        for index in 0..<5 {
            _ = try queue.recordWorkerExit(WorkerExitRecord(
                workerID: "vm-1-\(index)", host: "vm", pid: Int32(300 + index), exitStatus: 1, signal: nil, oom: false,
                crash: true, cause: "exit status 1", runTimeMilliseconds: 400, cpuTimeMilliseconds: 300, peakMemoryBytes: nil))
        }
        try queue.tripBreaker(reason: "5 crashes within 10m (last: exit status 1)", host: "vm", pid: 77)
    }

    @Test func theIncidentHostWithABadRedisAndACrashLoopingQueueIsCriticalWithEveryProblemFound() throws {
        let server = try RedisServer(arguments: ["--maxmemory-policy", "allkeys-lru"])
        defer { server.stop() }
        try crashLoopingQueue("ingest", on: server)

        let run = try diagnose("incident", redis: server.url)
        #expect(run.exit.status == 2, "\(run.error)")
        let text = run.output
        for expected in [
            "CRITICAL  redis.evictionPolicy", "Redis can drop jobs: maxmemory-policy is allkeys-lru, not noeviction",
            "    $ redis-cli CONFIG SET maxmemory-policy noeviction", "redis.conf needs this line", "      maxmemory-policy noeviction\n",
            "WARNING  redis.persistence", "a restart loses every job",
            "CRITICAL  queue.crashLoop", "queue ingest: CRASH LOOP — the crash-loop breaker tripped",
            "5 crashes within 10m (last: exit status 1)", "    $ jobq breaker reset ingest",
            "CRITICAL  load.high", "CRITICAL  systemd.restartLoop", "process.duplicateWorkers", "WARNING  disk.high",
            "INFO  redis.server", "Redis 7.",
        ] {
            #expect(text.contains(expected), "missing: \(expected)")
        }
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 80 || $0.hasPrefix("    $ ") })

        let json = try diagnose("incident", redis: server.url, json: true)
        #expect(json.exit.status == 2)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(report["exit_status"] as? Int == 2)
        let findings = try #require(report["findings"] as? [[String: Any]])
        let ranked = findings.compactMap { $0["severity"] as? String }
        #expect(ranked == ranked.sorted { ["critical": 0, "warning": 1, "info": 2][$0]! < ["critical": 0, "warning": 1, "info": 2][$1]! })
        let codes = Set(findings.compactMap { $0["code"] as? String })
        #expect(codes.isSuperset(of: [
            "redis.evictionPolicy", "redis.persistence", "redis.server", "queue.crashLoop", "load.high", "systemd.restartLoop",
            "systemd.startLimitUnreachable", "process.duplicateWorkers", "swap.none", "disk.high",
        ]))
        let disk = try #require(findings.first { $0["code"] as? String == "disk.high" })
        #expect((disk["evidence"] as? [String])?.contains { $0.contains(server.directory.path) } == true, "Redis's data directory is checked")
    }

    @Test func aHealthyHostWithAWellConfiguredRedisAndHealthyQueuesIsAllClear() throws {
        let server = try RedisServer(arguments: ["--appendonly", "yes"])
        defer { server.stop() }
        let queue = Queue(name: try QueueName("docs"), connection: try RedisConnection(configuration: RedisConfiguration(url: server.url)))
        try queue.enqueue(payload: "1")

        let run = try diagnose("healthy", redis: server.url)
        #expect(run.exit.status == 0, "\(run.output)")
        #expect(run.output.hasPrefix("Diagnosis: no problems found ("))
        #expect(run.output.contains("INFO  redis.server") && !run.output.contains("queue.") && !run.output.contains("redis.persistence"))
    }

    @Test func anUnreachableRedisIsCriticalAndTheHostIsStillDiagnosed() throws {
        let run = try diagnose("incident", redis: "redis://:hunter2@127.0.0.1:1/0")
        #expect(run.exit.status == 2)
        #expect(run.output.contains("CRITICAL  redis.unreachable"))
        #expect(run.output.contains("Redis at redis://:***@127.0.0.1:1/0 cannot be used"))
        #expect(!run.output.contains("hunter2"), "the password is never printed")
        #expect(run.output.contains("CRITICAL  load.high") && run.output.contains("CRITICAL  systemd.restartLoop"))
        #expect(run.output.contains("Redis could not be reached, so no queue was checked"))
    }
}
