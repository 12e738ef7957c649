import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

/// `ingest-worker --prefetch` as a real process: what happens to its buffer on SIGTERM and kill -9.
@Suite("ingest-worker --prefetch") struct PrefetchWorkerProcessTests {
    /// Starts `ingest-worker --queue Q --prefetch 8 ARGS -- /bin/sh -c 'sleep 0.3'`.
    private func startWorker(_ queue: Queue, _ arguments: [String] = []) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.path("ingest-worker"))
        process.arguments = ["--queue", queue.name.rawValue, "--prefetch", "8"] + arguments + ["--", "/bin/sh", "-c", "sleep 0.3"]
        process.environment = ["JOBQ_REDIS_URL": try TestRedis.url(), "PATH": "/usr/bin:/bin"]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    private func fastReapingQueue(_ label: String = #function) throws -> Queue {
        var configuration = Queue.Configuration()
        configuration.reapInterval = .milliseconds(50)
        return try TestRedis.queue(label, configuration: configuration)
    }

    @Test func sigtermGivesTheBufferBackToTheFrontWithoutCountingAttempts() throws {
        let queue = try fastReapingQueue()
        let ids = try (0..<12).map { try queue.enqueue(payload: #"{"n":\#($0)}"#).id }
        let worker = try startWorker(queue)
        defer { if worker.isRunning { kill(worker.processIdentifier, SIGKILL) } }
        // The first job is fetched alone; the call that acks it leases a batch of 8.
        #expect(eventually { (try? queue.counts().active) == 8 })
        kill(worker.processIdentifier, SIGTERM)
        #expect(eventually { !worker.isRunning })
        #expect(worker.terminationStatus == 0)
        let processed = try queue.stats().counters.total.processed
        #expect(processed >= 2, "the running job finished within the grace and was acked")
        let counts = try queue.counts()
        #expect(counts.active == 0)
        #expect(counts.waiting == 12 - processed, "nothing lost")
        for id in ids.dropFirst(processed) {
            let record = try #require(try queue.job(id: id))
            #expect(record.state == .waiting && record.attempts == 0 && record.crashes == 0, "\(id): \(record.state) attempts \(record.attempts)")
        }
        let consumer = try Consumer(queue: queue)
        guard case .job(let next) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("nothing waits"); return }
        #expect(next.id == ids[processed], "given back to the front, in order")
    }

    @Test func killNineWithAFullBufferLosesNothing() throws {
        let queue = try fastReapingQueue()
        _ = try (0..<10).map { try queue.enqueue(payload: #"{"n":\#($0)}"#).id }
        let worker = try startWorker(queue, ["--lease", "1s"])
        defer { if worker.isRunning { kill(worker.processIdentifier, SIGKILL) } }
        #expect(eventually { (try? queue.counts().active) == 8 })
        kill(worker.processIdentifier, SIGKILL)
        worker.waitUntilExit()
        // The leases run out a second later; the reaper puts every held job back.
        #expect(eventually(timeout: .seconds(15)) { _ = try? queue.reap(holder: "test"); return (try? queue.counts().active) == 0 })
        let processed = try queue.stats().counters.total.processed
        let counts = try queue.counts()
        #expect(counts.waiting + processed == 10, "nothing lost: \(counts.waiting) waiting, \(processed) done")
        #expect(counts.dead == 0)
        // Redis cannot tell which held job had started: each counts a crash, as a running job does.
        #expect(try queue.stats().counters.total.crashed == 8)
    }

    @Test func prefetchOutOfRangeIsBadUsage() throws {
        let run = try Program.run(Binaries.path("ingest-worker"), ["--queue", "q", "--prefetch", "0"], environment: ["PATH": "/usr/bin:/bin"])
        #expect(run.status == 64)
        #expect(run.errors.contains("--prefetch must be from 1 to 1000"))
    }
}
