import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

/// Real worker processes, killed and starved of Redis, must not lose jobs.
@Suite("Crash recovery with real processes", .serialized) struct CrashRecoveryTests {
    private func startWorker(queue: QueueName, redisURL: String, log: URL, extra: [String] = []) throws -> Process {
        try ExampleWorker.start(
            queue: queue, redisURL: redisURL, log: log,
            arguments: ["--lease-ms", "1000", "--consumer-ttl-ms", "1000", "--poison-after", "0"] + extra)
    }

    /// Runs per job id, from the worker's log.
    private func runs(in log: URL) -> [String: Int] {
        ExampleWorker.runs(in: log).reduce(into: [:]) { $0[$1.id, default: 0] += 1 }
    }

    private func temporaryLog() -> URL { ExampleWorker.temporaryLog() }

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
        let counts = runs(in: log)
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
        try #require(eventually(timeout: .seconds(10)) { runs(in: log).count > 100 })
        server.stop()
        usleep(1_500_000)
        #expect(worker.isRunning, "the worker waits for Redis instead of dying")
        try server.start()
        worker.waitUntilExit()
        #expect(worker.terminationStatus == 0)
        let missing = ids.subtracting(runs(in: log).keys)
        #expect(missing.isEmpty, "jobs never run: \(missing.count)")
        // The test's own connection went down with the server: the first command reports it, the
        // next one reconnects.
        #expect(throws: JobQueueError.self) { try queue.counts() }
        let left = try queue.counts()
        #expect(left.waiting == 0 && left.active == 0 && left.delayed == 0)
    }
}
