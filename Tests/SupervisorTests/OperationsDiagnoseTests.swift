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
        let queue = Queue(name: try QueueName(name), connection: try setupConnection(server.url))
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
            "    $ redis-cli -h 127.0.0.1 -p \(server.port) CONFIG SET maxmemory-policy noeviction", "redis.conf needs this line", "      maxmemory-policy noeviction\n",
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
        let queue = Queue(name: try QueueName("docs"), connection: try setupConnection(server.url))
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

    // MARK: - A restricted ACL user (README, "Redis")

    /// The ACL the README documents for jobq, plus `extra` rules; returns the user's URL.
    private func aclUser(_ name: String, on server: RedisServer, extra: [RedisArgument] = []) throws -> String {
        let admin = try setupConnection(server.url)
        try admin.command(["ACL", "SETUSER", RedisArgument(name), "on", ">pw", "~jobq:*", "~ingest:*", "-@all",
                           "+@scripting", "+@read", "+@write", "+@blocking", "+@connection", "+time"] + extra)
        return "redis://\(name):pw@127.0.0.1:\(server.port)/0"
    }

    /// A paused queue with work waiting, set up as the restricted user: a warning diagnose can only
    /// find through the queue scripts.
    private func pausedQueue(_ name: String, as url: String) throws {
        let queue = Queue(name: try QueueName(name), connection: try setupConnection(url))
        try queue.enqueue(payload: "1")
        try queue.pause()
    }

    private func findings(_ json: String) throws -> (status: Int?, findings: [[String: Any]]) {
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        return (report["exit_status"] as? Int, try #require(report["findings"] as? [[String: Any]]))
    }

    @Test func underTheDocumentedMinimalACLDiagnoseWarnsThatRedisSettingsAreUnreadableAndStillChecksTheQueues() throws {
        let server = try RedisServer(arguments: ["--appendonly", "yes"])
        defer { server.stop() }
        let url = try aclUser("jobq", on: server)
        try pausedQueue("docs", as: url)

        let run = try diagnose("healthy", redis: url)
        #expect(run.exit.status == 1, "a warning, not critical: \(run.output)")
        let text = run.output
        for expected in [
            "Diagnosis: 0 critical, 2 warnings,",
            "WARNING  redis.settingsUnreadable",
            "Cannot read Redis's server settings: the ACL denies INFO and CONFIG GET;",
            "eviction policy unknown",
            "INFO: NOPERM", "CONFIG GET: NOPERM",
            "not checked, so unknown (not OK): the eviction policy",
            "    $ redis-cli -h 127.0.0.1 -p \(server.port) ACL SETUSER jobq +info '+config|get'\n",
            "maxmemory-policy unknown",
            "WARNING  queue.paused",
        ] {
            #expect(text.contains(expected), "missing: \(expected)\n\(text)")
        }
        #expect(!text.contains("CRITICAL") && !text.contains("unreachable") && !text.contains("could not be reached"), "\(text)")
        #expect(!text.contains("redis.evictionPolicy") && !text.contains("redis.persistence"), "unknown is not reported as a verdict")
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 80 || $0.hasPrefix("    $ ") })

        let json = try diagnose("healthy", redis: url, json: true)
        #expect(json.exit.status == 1)
        let (status, findings) = try findings(json.output)
        #expect(status == 1)
        #expect(!findings.contains { $0["severity"] as? String == "critical" }, "\(findings)")
        let settings = try #require(findings.first { $0["code"] as? String == "redis.settingsUnreadable" })
        #expect(settings["severity"] as? String == "warning")
        #expect((settings["fix"] as? [String])?.first == "redis-cli -h 127.0.0.1 -p \(server.port) ACL SETUSER jobq +info '+config|get'")
        let codes = Set(findings.compactMap { $0["code"] as? String })
        #expect(codes.isSuperset(of: ["redis.settingsUnreadable", "redis.server", "queue.paused"]) && !codes.contains("redis.unreachable"))
    }

    @Test func theMinimalACLPlusInfoAndConfigGetIsACompleteDiagnosisLikeTheDefaultUser() throws {
        let server = try RedisServer(arguments: ["--appendonly", "yes"])
        defer { server.stop() }
        let complete = try aclUser("jobq", on: server, extra: ["+info", "+config|get"])
        try Queue(name: try QueueName("docs"), connection: try RedisConnection(configuration: RedisConfiguration(url: complete)))
            .enqueue(payload: "1")

        for url in [complete, server.url] {
            let run = try diagnose("healthy", redis: url)
            #expect(run.exit.status == 0, "\(run.output)")
            #expect(!run.output.contains("redis.settingsUnreadable") && !run.output.contains("unknown"), "\(run.output)")
            #expect(run.output.contains("maxmemory-policy noeviction, appendonly yes"))
            let json = try diagnose("healthy", redis: url, json: true)
            let (status, findings) = try findings(json.output)
            #expect(status == 0 && !findings.contains { $0["code"] as? String == "redis.settingsUnreadable" })
        }
    }

    @Test func anACLThatDeniesOnlyConfigGetNamesOnlyThatPermission() throws {
        let server = try RedisServer(arguments: ["--appendonly", "yes"])
        defer { server.stop() }
        let url = try aclUser("ops-ro", on: server, extra: ["+info"])

        let run = try diagnose("healthy", redis: url)
        #expect(run.exit.status == 1, "\(run.output)")
        #expect(run.output.contains("WARNING  redis.settingsUnreadable"), "\(run.output)")
        #expect(run.output.contains("the ACL denies CONFIG GET;") && run.output.contains("data directory unknown"))
        #expect(run.output.contains("    $ redis-cli -h 127.0.0.1 -p \(server.port) ACL SETUSER ops-ro '+config|get'\n"))
        #expect(run.output.contains("maxmemory-policy noeviction"), "what INFO tells is still checked")
    }

    @Test func aRenamedInfoIsAWarningToCheckByHandAndARenamedConfigOnlyANote() throws {
        let noInfo = try RedisServer(arguments: ["--appendonly", "yes", "--rename-command", "INFO", ""])
        defer { noInfo.stop() }
        let run = try diagnose("healthy", redis: noInfo.url)
        #expect(run.exit.status == 1, "\(run.output)")
        #expect(run.output.contains("WARNING  redis.settingsUnreadable") && run.output.contains("Redis refused INFO;"), "\(run.output)")
        #expect(run.output.contains("    $ grep -E '^(maxmemory-policy|appendonly|save|rename-command)' /etc/redis/redis.conf\n"))
        #expect(!run.output.contains("ACL SETUSER") && !run.output.contains("CRITICAL"))

        // A renamed CONFIG is deliberate hardening: INFO still tells the eviction policy.
        let noConfig = try RedisServer(arguments: ["--appendonly", "yes", "--rename-command", "CONFIG", ""])
        defer { noConfig.stop() }
        let hardened = try diagnose("healthy", redis: noConfig.url)
        #expect(hardened.exit.status == 0, "\(hardened.output)")
        #expect(!hardened.output.contains("redis.settingsUnreadable") && hardened.output.contains("Redis did not answer CONFIG GET"))
    }

    @Test func aRefusedPasswordIsStillRedisUnreachableAndCritical() throws {
        let server = try RedisServer()
        defer { server.stop() }
        _ = try aclUser("jobq", on: server)

        let run = try diagnose("healthy", redis: "redis://jobq:hunter2@127.0.0.1:\(server.port)/0")
        #expect(run.exit.status == 2)
        #expect(run.output.contains("CRITICAL  redis.unreachable") && !run.output.contains("redis.settingsUnreadable"), "\(run.output)")
        #expect(!run.output.contains("hunter2"), "the password is never printed")
    }
}
