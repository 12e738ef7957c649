import Foundation
import JobQueue
import JobqTestSupport
import Testing

/// Real worker processes, killed and starved of Redis, must not lose jobs.
@Suite("Crash recovery with real processes", .serialized) struct CrashRecoveryTests {
    private func startWorker(queue: QueueName, redisURL: String, log: URL, extra: [String] = []) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.path("example-worker"))
        process.arguments = ["work", queue.rawValue, "--log", log.path, "--lease-ms", "1000", "--consumer-ttl-ms", "1000", "--poison-after", "0"] + extra
        process.environment = ["JOBQ_REDIS_URL": redisURL, "PATH": "/usr/bin:/bin"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs per job id, from the worker's log.
    private func runs(in log: URL) throws -> [String: Int] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2 { counts[String(parts[0]), default: 0] += 1 }
        }
        return counts
    }

    private func temporaryLog() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("jobq-runs-\(UUID().uuidString).log")
    }

    @Test func consumerSIGKILLedFiftyTimesWhileDrainingLosesNoJob() throws {
        let url = try TestRedis.url()
        let queue = try TestRedis.queue()
        let ids = Set(try queue.enqueue(batch: (0..<2000).map { NewJob(payload: #"{"n":\#($0)}"#) }).map(\.id))
        let log = temporaryLog()
        defer { try? FileManager.default.removeItem(at: log) }
        var kills = 0
        for _ in 0..<50 {
            let worker = try startWorker(queue: queue.name, redisURL: url, log: log, extra: ["--job-ms", "1"])
            usleep(UInt32.random(in: 30_000...150_000))
            kill(worker.processIdentifier, SIGKILL)
            worker.waitUntilExit()
            if worker.terminationReason == .uncaughtSignal { kills += 1 }
        }
        #expect(kills == 50)
        let finisher = try startWorker(queue: queue.name, redisURL: url, log: log, extra: ["--idle-exit", "3"])
        finisher.waitUntilExit()
        #expect(finisher.terminationStatus == 0)
        let counts = try runs(in: log)
        let missing = ids.subtracting(counts.keys)
        #expect(missing.isEmpty, "jobs never run: \(missing.count)")
        let duplicates = counts.values.reduce(0) { $0 + max(0, $1 - 1) }
        #expect(duplicates <= kills, "duplicate runs \(duplicates) > kills \(kills)")
        let left = try queue.counts()
        #expect(left.waiting == 0 && left.active == 0 && left.delayed == 0 && left.dead == 0)
    }

    @Test func redisRestartedMidDrainTheWorkerReconnectsAndFinishes() throws {
        let server = try RedisServer(arguments: ["--appendonly", "yes", "--appendfsync", "always"])
        defer { server.stop() }
        let queue = Queue(name: try uniqueQueueName(), connection: try RedisConnection(configuration: RedisConfiguration(url: server.url)))
        let ids = Set(try queue.enqueue(batch: (0..<1000).map { NewJob(payload: #"{"n":\#($0)}"#) }).map(\.id))
        let log = temporaryLog()
        defer { try? FileManager.default.removeItem(at: log) }
        let worker = try startWorker(queue: queue.name, redisURL: server.url, log: log, extra: ["--job-ms", "2", "--idle-exit", "4"])
        try #require(eventually(timeout: .seconds(10)) { try runs(in: log).count > 100 })
        server.stop()
        usleep(1_500_000)
        #expect(worker.isRunning, "the worker waits for Redis instead of dying")
        try server.start()
        worker.waitUntilExit()
        #expect(worker.terminationStatus == 0)
        let missing = ids.subtracting(try runs(in: log).keys)
        #expect(missing.isEmpty, "jobs never run: \(missing.count)")
        // The test's own connection went down with the server: the first command reports it, the
        // next one reconnects.
        #expect(throws: JobQueueError.self) { try queue.counts() }
        let left = try queue.counts()
        #expect(left.waiting == 0 && left.active == 0 && left.delayed == 0)
    }
}
