import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

@Suite("Starting before Redis") struct WorkerStartupTests {
    /// CPU ticks (user + system) a process has used, from /proc.
    private func cpuTicks(_ pid: Int32) -> Int {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return -1 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
    }

    /// Checks that a process started while Redis is away keeps running without spinning, then starts
    /// Redis and enqueues a no-op job, returning whether the job was taken and completed.
    private func expectWaitingQuietlyThenWorking(_ process: Process, server: RedisServer, queue name: QueueName) throws -> Bool {
        usleep(1_000_000)
        let before = cpuTicks(process.processIdentifier)
        usleep(3_000_000)
        #expect(process.isRunning, "it waits for Redis instead of exiting")
        #expect(cpuTicks(process.processIdentifier) - before <= 5, "no spinning while Redis is away")
        try server.start()
        let queue = Queue(name: name, connection: try RedisConnection(configuration: RedisConfiguration(url: server.url)))
        let id = try queue.enqueue(payload: "{}", options: EnqueueOptions(type: "noop")).id
        return eventually(timeout: .seconds(40)) { (try? queue.job(id: id)) == nil }
    }

    @Test func workerStartedWithoutRedisWaitsQuietlyAndWorksOnceRedisComes() throws {
        let server = try RedisServer()
        server.stop()
        defer { server.stop() }
        let name = try uniqueQueueName()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.path("ingest-worker"))
        // Without --idle-exit (which counts time waiting for Redis) it waits as long as it takes.
        process.arguments = ["--queue", name.rawValue, "--max-jobs", "1"]
        process.environment = ["JOBQ_REDIS_URL": server.url]
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        #expect(try expectWaitingQuietlyThenWorking(process, server: server, queue: name), "the job ran once Redis came")
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test func workerWithIdleExitCountsTimeWaitingForAnUnreachableRedisAndExitsZero() throws {
        let started = ContinuousClock.now
        let run = try CommandRun.run(
            "ingest-worker", ["--queue", try uniqueQueueName().rawValue, "--idle-exit", "1s"],
            environment: ["JOBQ_REDIS_URL": "redis://127.0.0.1:1/0"])
        let took = ContinuousClock.now - started
        #expect(run.status == 0, "\(run.standardError)")
        #expect(took < .seconds(5), "exited after \(took)")
        #expect(run.standardError.contains("idle for 1s (Redis unreachable"))
    }

    @Test func supervisorStartedWithoutRedisWaitsQuietlyAndLaunchesOnceRedisComes() throws {
        let server = try RedisServer()
        server.stop()
        defer { server.stop() }
        let name = try uniqueQueueName()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.path("jobq"))
        process.arguments = [
            "supervise", name.rawValue, "--no-cgroup", "--tick", "200ms", "--max-load", "100", "--max-cpu-pressure", "100",
            "--min-available", "1M", "--", Binaries.path("ingest-worker"), "--queue", name.rawValue, "--idle-exit", "1s",
        ]
        process.environment = ["JOBQ_REDIS_URL": server.url]
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            if process.isRunning {
                kill(process.processIdentifier, SIGTERM)
                process.waitUntilExit()
            }
        }
        #expect(try expectWaitingQuietlyThenWorking(process, server: server, queue: name), "a worker was launched once Redis came")
    }
}
