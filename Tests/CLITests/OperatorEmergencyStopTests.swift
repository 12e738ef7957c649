import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

/// `jobq emergency-stop` and `jobq resume` against a real Redis, with stand-in `systemctl`
/// scripts on PATH. (Stopping a real supervisor mid-job is in SupervisorTests.)
@Suite("jobq emergency-stop and resume") struct OperatorEmergencyStopTests {
    private func jobq(_ arguments: [String], path: String = "/usr/bin:/bin") throws -> CommandRun {
        try CommandRun.run("jobq", arguments, environment: ["JOBQ_REDIS_URL": try TestRedis.url(), "PATH": path])
    }

    /// A directory holding a stand-in `systemctl` that appends its arguments to `calls` and exits
    /// with `status`, printing `error` on stderr.
    private final class FakeSystemctl {
        let directory: URL
        var calls: URL { directory.appendingPathComponent("calls") }
        var recorded: [String] { ((try? String(contentsOf: calls, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }

        init(status: Int32 = 0, error: String = "") throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-systemctl-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let script = directory.appendingPathComponent("systemctl")
            try "#!/bin/sh\necho \"$*\" >> '\(calls.path)'\n[ -n '\(error)' ] && echo '\(error)' >&2\nexit \(status)\n"
                .write(to: script, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        }

        deinit { try? FileManager.default.removeItem(at: directory) }
    }

    /// Every key of the queue with its type, contents (hashes and sets sorted: their order in Redis
    /// is not stable) and whether it has a TTL, and whether the queue is registered.
    private func dump(_ queue: Queue) throws -> [String: String] {
        let redis = queue.connection
        let keys = try redis.command(["KEYS", RedisArgument(queue.keys.base + "*")]).array?.compactMap(\.string) ?? []
        var result: [String: String] = [:]
        for key in keys {
            let type = try redis.command(["TYPE", RedisArgument(key)]).string ?? "?"
            let read: [RedisArgument] = switch type {
            case "hash": ["HGETALL", RedisArgument(key)]
            case "list": ["LRANGE", RedisArgument(key), "0", "-1"]
            case "zset": ["ZRANGE", RedisArgument(key), "0", "-1", "WITHSCORES"]
            case "set": ["SMEMBERS", RedisArgument(key)]
            default: ["GET", RedisArgument(key)]
            }
            let reply = try redis.command(read)
            var items = reply.array?.map { $0.string ?? "nil" } ?? [reply.string ?? "nil"]
            if type == "hash" {
                items = stride(from: 0, to: items.count - 1, by: 2).map { items[$0] + "=" + items[$0 + 1] }.sorted()
            } else if type == "set" {
                items.sort()
            }
            let ttl = try redis.command(["PTTL", RedisArgument(key)]).integer ?? -2
            result[key] = "\(type) \(items)" + (ttl >= 0 ? " (ttl)" : "")
        }
        let registered = try redis.command(["SISMEMBER", RedisArgument(QueueKeys.registry), RedisArgument(queue.name.rawValue)])
        result[QueueKeys.registry] = "member: \(registered.integer ?? -1)"
        return result
    }

    @Test func dryRunPrintsEveryActionAndChangesNothing() throws {
        let queue = try TestRedis.queue()
        let name = queue.name.rawValue
        try queue.enqueue(batch: (0..<3).map { NewJob(payload: "\($0)") })
        try queue.setRateLimit(RateLimit(count: 5, period: .seconds(1), burst: 2))
        let consumer = try Consumer(queue: queue)
        guard case .job = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        let systemctl = try FakeSystemctl()
        let before = try dump(queue)

        let run = try jobq(
            ["emergency-stop", name, "--unit", "rivet-worker.service", "--kill-duplicates", "--worker-pattern", "no-such-worker-\(UUID().uuidString)", "--dry-run"],
            path: systemctl.directory.path + ":/usr/bin:/bin")
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.lines == [
            "dry run: nothing was changed. The emergency stop would:",
            "  - pause \(name): no job is handed out on any host (now 2 waiting, 1 running)",
            "  - request a stop of \(name)'s supervisor (now: none): it stops its worker (SIGTERM, then SIGKILL after its stop timeout)",
            "  - systemctl stop rivet-worker.service",
            "  - end duplicate worker processes: none found",
            "  - wait up to 45s until no job of \(name) is running (jobs in hand go back to waiting)",
            "  - record the stop in each queue's events (shown by jobq stats)",
        ])
        #expect(systemctl.recorded.isEmpty, "systemctl was not run")
        let after = try dump(queue)
        #expect(after == before, "Redis is unchanged: \(Set(after.keys).symmetricDifference(before.keys)) \(after.filter { before[$0.key] != $0.value }.keys)")
    }

    @Test func aJobHeldByAnUnsupervisedWorkerIsNamedWithItsOwnerAndNotLost() throws {
        let queue = try TestRedis.queue()
        let name = queue.name.rawValue
        try queue.enqueue(batch: (0..<2).map { NewJob(payload: "\($0)") })
        let consumer = try Consumer(queue: queue, id: "unsupervised-\(UUID().uuidString.prefix(6))")
        guard case .job(let held) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }

        let run = try jobq(["emergency-stop", name, "--wait", "1s", "--reason", "incident 42"])
        #expect(run.status == 2, "\(run.standardOutput)\(run.standardError)")
        #expect(run.lines.contains("  paused \(name)"))
        #expect(run.lines.contains("  requested a stop of \(name)'s supervisor"))
        let host = ProcessInfo.processInfo.hostName
        #expect(run.standardOutput.contains("  still running in \(name): job \(held.id) (default) held by \(consumer.id) (\(host) pid \(getpid())); it is not lost"))
        #expect(run.lines.suffix(2) == ["incomplete: 1 problem above; nothing is lost.", "resume with: jobq resume \(name)"])

        #expect(try queue.isPaused())
        let request = try #require(try queue.stopRequest())
        #expect(request.by.contains("@") && request.reason == "incident 42")
        #expect(try queue.job(id: held.id)?.state == .active, "the job stays with its worker")
        #expect(try consumer.ack(held), "and is acked when done")

        let stats = try JSONSerialization.jsonObject(with: Data(try jobq(["stats", name, "--json"]).standardOutput.utf8)) as? [String: Any]
        let stop = try #require(((stats?["queues"] as? [[String: Any]])?.first)?["last_emergency_stop"] as? [String: Any])
        #expect(stop["by"] as? String == request.by && stop["reason"] as? String == "incident 42")
        #expect(stop["steps"] as? [String] == ["paused", "stop requested", "1 job still running"])
        let text = try jobq(["stats", name]).standardOutput
        #expect(text.contains("  emergency   stopped ") && text.contains("by \(request.by) (incident 42): paused; stop"))
    }

    @Test func unitsAreStoppedWithTheSystemctlOnPathAndResumeSaysHowToStartThem() throws {
        let queue = try TestRedis.queue()
        let name = queue.name.rawValue
        let systemctl = try FakeSystemctl()
        let path = systemctl.directory.path + ":/usr/bin:/bin"
        let stop = try jobq(["emergency-stop", name, "--unit", "rivet-worker.service", "--wait", "1s"], path: path)
        #expect(stop.status == 0, "\(stop.standardOutput)")
        #expect(systemctl.recorded == ["stop rivet-worker.service"])
        #expect(stop.lines.contains("  stopped unit rivet-worker.service"))
        #expect(stop.lines.contains("  no job of \(name) is running: every job in hand is back in waiting"))
        #expect(stop.lines.suffix(3) == [
            "stopped; nothing is lost.", "resume with: jobq resume \(name)",
            "jobq resume does not start units: systemctl start rivet-worker.service",
        ])
        let by = try #require(try queue.stopRequest()?.by)

        let resume = try jobq(["resume", name], path: path)
        #expect(resume.status == 0)
        #expect(resume.lines == [
            "resumed \(name) (pause cleared; stop request of \(by) cleared)",
            "  the emergency stop also stopped units; start them when the cause is fixed: systemctl start rivet-worker.service",
        ])
        #expect(systemctl.recorded == ["stop rivet-worker.service"], "resume starts no unit")
        #expect(try !queue.isPaused() && queue.stopRequest() == nil)
        #expect(try queue.events().map(\.action) == [.resume, .emergencyStop])
    }

    @Test func aUnitThatCannotBeStoppedIsReportedAndTheStatusIs2() throws {
        let queue = try TestRedis.queue()
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let missing = try jobq(["emergency-stop", queue.name.rawValue, "--unit", "x.service", "--wait", "1s"], path: empty.path)
        #expect(missing.status == 2)
        #expect(missing.lines.contains("  systemctl was not found on PATH: stop x.service by hand"))
        #expect(try queue.isPaused(), "the queue is stopped all the same")

        let failing = try FakeSystemctl(status: 5, error: "Failed to stop x.service: Unit x.service not loaded.")
        let failed = try jobq(["emergency-stop", "--unit", "x.service"], path: failing.directory.path)
        #expect(failed.status == 2)
        #expect(failed.lines.contains("  systemctl stop x.service failed: Failed to stop x.service: Unit x.service not loaded."))
    }

    @Test func allStopsAndResumesEveryKnownQueue() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let connection = try RedisConnection(configuration: RedisConfiguration(url: server.url))
        let queues = try ["alpha", "beta"].map { Queue(name: try QueueName($0), connection: connection) }
        for queue in queues { try queue.enqueue(payload: "1") }
        let stop = try CommandRun.run("jobq", ["emergency-stop", "--all", "--wait", "1s", "--redis", server.url])
        #expect(stop.status == 0, "\(stop.standardOutput)")
        #expect(try queues.allSatisfy { try $0.isPaused() && $0.stopRequest() != nil })

        let resume = try CommandRun.run("jobq", ["resume", "--all", "--redis", server.url])
        #expect(resume.status == 0)
        #expect(resume.lines.map { $0.prefix { $0 != " " } } == ["resumed", "resumed"])
        #expect(try queues.allSatisfy { try !$0.isPaused() && $0.stopRequest() == nil })
        #expect(try CommandRun.run("jobq", ["resume", "--redis", server.url]).status == 64, "names or --all")
        #expect(try CommandRun.run("jobq", ["resume", "alpha", "--all", "--redis", server.url]).status == 64)
        #expect(try CommandRun.run("jobq", ["emergency-stop", "--redis", server.url]).status == 64, "something to stop")
    }
}
