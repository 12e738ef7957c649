import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

/// The built binaries against a Redis that evicts (`allkeys-lru`) or is full (`noeviction`): every
/// process that writes refuses an evicting Redis (exit status 78, one line naming `noeviction`)
/// unless eviction is allowed; the read-only commands report it; a full Redis refuses enqueues
/// with exit status 75. Each test starts its own server.
@Suite("Eviction guard (binaries)", .serialized) struct EvictionGuardTests {
    static let evicting = ["--maxmemory", "20mb", "--maxmemory-policy", "allkeys-lru"]

    private func run(_ name: String, _ arguments: [String], _ server: RedisServer, environment: [String: String] = [:], input: String? = nil) throws -> CommandRun {
        try CommandRun.run(name, arguments, environment: ["JOBQ_REDIS_URL": server.url].merging(environment) { $1 }, input: input)
    }

    private func admin(_ server: RedisServer) throws -> RedisConnection {
        var configuration = try RedisConfiguration(url: server.url)
        configuration.evictionCheck = .ignore
        return try RedisConnection(configuration: configuration)
    }

    private func refusal(_ run: CommandRun) -> Bool {
        let lines = run.standardError.split(separator: "\n")
        return run.status == 78 && lines.count == 1 && lines[0].contains("allkeys-lru")
            && lines[0].contains("CONFIG SET maxmemory-policy noeviction") && lines[0].contains("--allow-eviction")
    }

    @Test func writeCommandsRefuseAnEvictingRedisAndWriteNothing() throws {
        let server = try RedisServer(arguments: Self.evicting)
        let queue = try uniqueQueueName().rawValue
        for arguments in [["enqueue", queue, "{}"], ["pause", queue], ["limit", queue, "--concurrency", "2"], ["retry", queue, "--all"]] {
            let result = try run("jobq", arguments, server)
            #expect(refusal(result), "\(arguments): \(result.status) \(result.standardError)")
        }
        #expect(try admin(server).command(["DBSIZE"]) == .integer(0), "nothing was written")
    }

    @Test func allowEvictionByFlagOrEnvironmentRunsWithOneWarning() throws {
        let server = try RedisServer(arguments: Self.evicting)
        let queue = try uniqueQueueName().rawValue
        for (arguments, environment) in [(["enqueue", queue, "{}", "--allow-eviction"], [:]), (["enqueue", queue, "{}"], ["JOBQ_ALLOW_EVICTION": "1"])] {
            let result = try run("jobq", arguments, server, environment: environment)
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.lines.count == 1)
            let warnings = result.standardError.split(separator: "\n")
            #expect(warnings.count == 1 && warnings[0].hasPrefix("jobq: warning:") && warnings[0].contains("noeviction"))
        }
        #expect(try admin(server).command(["LLEN", RedisArgument(QueueKeys(queue: QueueName(queue)).wait)]) == .integer(2))
    }

    @Test func workersRefuseAnEvictingRedisUnlessAllowed() throws {
        let server = try RedisServer(arguments: Self.evicting)
        let queue = try uniqueQueueName().rawValue
        let ingest = try run("ingest-worker", ["--queue", queue, "--idle-exit", "1s"], server)
        #expect(ingest.status == 78 && ingest.standardError.contains("noeviction"), "\(ingest.standardError)")
        let example = try run("example-worker", ["work", queue, "--idle-exit", "1"], server)
        #expect(example.status == 78 && example.standardError.contains("noeviction"), "\(example.standardError)")
        let allowed = try run("ingest-worker", ["--queue", queue, "--idle-exit", "1s", "--allow-eviction"], server)
        #expect(allowed.status == 0 && allowed.standardError.contains("warning"), "\(allowed.standardError)")
        let byEnvironment = try run("example-worker", ["work", queue, "--idle-exit", "1"], server, environment: ["JOBQ_ALLOW_EVICTION": "1"])
        #expect(byEnvironment.status == 0, "\(byEnvironment.standardError)")
    }

    @Test func supervisorRefusesAndDoesNotRelaunchAWorkerThatRefused() throws {
        let server = try RedisServer(arguments: Self.evicting)
        let queue = try uniqueQueueName().rawValue
        let worker = [Binaries.path("ingest-worker"), "--queue", queue, "--idle-exit", "1s"]
        let refused = try run("jobq", ["supervise", queue, "--no-cgroup", "--"] + worker, server)
        #expect(refused.status == 78 && refused.standardError.contains("noeviction"), "\(refused.standardError)")

        // Allowed for the supervisor, but its worker is started without the permission: the worker
        // refuses (78), and the supervisor stops with 78 instead of counting crashes.
        let enqueued = try run("jobq", ["enqueue", queue, "{}", "--allow-eviction"], server)
        #expect(enqueued.status == 0)
        let stubborn = ["/usr/bin/env", "-u", "JOBQ_ALLOW_EVICTION"] + worker
        let stopped = try run("jobq", ["supervise", queue, "--no-cgroup", "--allow-eviction", "--tick", "100ms", "--"] + stubborn, server)
        #expect(stopped.status == 78, "\(stopped.standardError)")
        #expect(stopped.standardError.contains("refused to run"))
        let stats = try Queue(name: QueueName(queue), connection: admin(server)).stats()
        #expect(stats.counters.total.launches == 1 && stats.counters.total.crashes == 0 && !stats.supervisor.breakerTripped)
        #expect(stats.jobs.waiting == 1, "the job waits for a worker that may run")
    }

    @Test func readOnlyCommandsRunOnAnEvictingRedisAndReportIt() throws {
        let server = try RedisServer(arguments: Self.evicting)
        let name = try uniqueQueueName()
        let queue = Queue(name: name, connection: try admin(server))
        let id = try queue.enqueue(payload: "1").id
        let other = try queue.enqueue(payload: "2").id
        try deleteStoredJob(id, queue)  // as eviction would
        let show = try run("jobq", ["show", name.rawValue, other], server)
        #expect(show.status == 0 && show.standardError.isEmpty, "\(show.standardError)")
        let drained = try run("ingest-worker", ["--queue", name.rawValue, "--idle-exit", "1s", "--allow-eviction"], server)
        #expect(drained.status == 0)

        let text = try run("jobq", ["stats", name.rawValue], server)
        #expect(text.status == 0 && text.standardError.isEmpty, "\(text.standardError)")
        #expect(text.standardOutput.hasPrefix("redis: EVICTS\n"))
        #expect(text.standardOutput.contains("maxmemory-policy allkeys-lru") && text.standardOutput.contains("keys since Redis started"))
        #expect(text.standardOutput.contains("\(name): LOST"))
        let json = try run("jobq", ["stats", name.rawValue, "--json"], server)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let redis = try #require(document["redis"] as? [String: Any])
        #expect(redis["maxmemory_policy"] as? String == "allkeys-lru" && redis["maxmemory_bytes"] as? Int == 20 * 1024 * 1024)
        #expect(redis["evicted_keys"] is Int)
        let entry = try #require((document["queues"] as? [[String: Any]])?.first)
        #expect(entry["verdict"] as? String == "lost")
        #expect(((entry["counters"] as? [String: Any])?["total"] as? [String: Any])?["lost"] as? Int == 1)
        let prometheus = try run("jobq", ["stats", name.rawValue, "--prometheus"], server)
        #expect(prometheus.standardOutput.contains("jobq_redis_evicts{redis=\"\(server.url)\"} 1"))
        #expect(prometheus.standardOutput.contains("jobq_lost_total{queue=\"\(name)\"} 1"))

        let diagnose = try run("jobq", ["diagnose", "--json"], server)
        #expect(diagnose.status == 2)
        #expect(diagnose.standardOutput.contains("\"redis.evictionPolicy\"") && diagnose.standardOutput.contains("\"queue.lost\""))
    }

    @Test func fullNoevictionRedisRefusesEnqueueWithStatus75AndSaysHowManyLinesWentIn() throws {
        let server = try RedisServer(arguments: ["--maxmemory", "64mb", "--maxmemory-policy", "noeviction"])
        let admin = try admin(server)
        let queue = try uniqueQueueName().rawValue
        #expect(try run("jobq", ["enqueue", queue, "{}"], server).status == 0)  // the functions are loaded
        let used = Int(RedisInfo.fields(try admin.command(["INFO", "memory"]).string ?? "")["used_memory"] ?? "0") ?? 0
        try admin.command(["CONFIG", "SET", "maxmemory", RedisArgument(used + 1024 * 1024)])
        let lines = (0..<5000).map { #"{"n":\#($0),"pad":"\#(String(repeating: "p", count: 200))"}"# }.joined(separator: "\n")
        let batch = try run("jobq", ["enqueue", queue, "--jsonl", "-"], server, input: lines)
        #expect(batch.status == 75, "\(batch.standardError)")
        let message = batch.standardError.split(separator: "\n")
        #expect(message.count == 1 && message[0].contains("out of memory"))
        let printed = batch.lines.count
        #expect(printed > 0 && printed < 5000 && printed % Queue.enqueueCallSize == 0)
        #expect(message[0].contains("\(printed) of 5000 lines were handled"))
        let waiting = try admin.command(["LLEN", RedisArgument(QueueKeys(queue: QueueName(queue)).wait)])
        #expect(waiting == .integer(Int64(printed + 1)), "exactly the printed jobs were enqueued")

        // Below what Redis uses now (the refused batch's buffer is freed): a single job is refused too.
        let now = Int(RedisInfo.fields(try admin.command(["INFO", "memory"]).string ?? "")["used_memory"] ?? "0") ?? 0
        try admin.command(["CONFIG", "SET", "maxmemory", RedisArgument(now - 256 * 1024)])
        let single = try run("jobq", ["enqueue", queue, "{}"], server)
        #expect(single.status == 75 && single.standardError.contains("nothing was written") && single.lines.isEmpty)
        try admin.command(["CONFIG", "SET", "maxmemory", "64mb"])
        #expect(try run("jobq", ["enqueue", queue, "{}"], server).status == 0)
    }
}
