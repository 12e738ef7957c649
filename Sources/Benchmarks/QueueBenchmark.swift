import Foundation
import JobQueue
import RedisClient
import Synchronization

/// Measures the queue against raw Redis round trips on the same server in the same run, so every
/// figure can be read as a ratio (machine speed cancels out). Used by `jobq bench`.
public struct QueueBenchmark: Sendable {
    /// What to measure.
    public struct Configuration: Sendable {
        /// Operations per throughput measurement, over all rounds. Default: 20,000.
        public var jobs: Int = 20_000
        /// Rounds the throughput measurements are split into (medians are reported). Default: 10.
        public var rounds: Int = 10
        /// Jobs per pipelined batch for batched enqueue. Default: 100.
        public var batchSize: Int = 100
        /// Jobs sent one at a time to an idle worker for the latency figures, and as many raw
        /// LPUSHes to a thread waiting in BLMOVE for the machine's floor. Default: 500.
        public var latencySamples: Int = 500
        /// Jobs run by a command started per job, for the persistent-child row; the long-lived
        /// child runs 25 times as many. 0 skips the row. Default: 40.
        public var commandJobs: Int = 40
        /// The Python that runs the command handler of that row; without it the row is skipped.
        /// Default: `/usr/bin/python3`.
        public var python = "/usr/bin/python3"
        /// Jobs enqueued (and left waiting) to measure Redis memory per waiting job; 0 skips the
        /// row. Default: 20,000.
        public var memoryJobs: Int = 20_000

        /// The defaults.
        public init() {}
    }

    /// One measured figure.
    public struct Result: Sendable, Codable {
        /// What was measured.
        public var name: String
        /// Operations (or jobs) per second, or a latency in microseconds for latency rows.
        public var value: Double
        /// `ops/s`, `jobs/s`, `µs` or `B` (bytes, for the memory row).
        public var unit: String
        /// The value divided by the baseline named in ``baseline`` (for rates: higher is better).
        public var ratio: Double?
        /// The row this one is compared with.
        public var baseline: String?
    }

    private let connectionConfiguration: RedisConfiguration
    private let configuration: Configuration

    /// Creates a benchmark against a server.
    public init(redis: RedisConfiguration, configuration: Configuration = Configuration()) {
        self.connectionConfiguration = redis
        self.configuration = configuration
    }

    /// Runs every measurement on a fresh queue, deletes the queue's keys, and returns the rows.
    ///
    /// Throughput is measured in ``Configuration/rounds`` rounds; each round times every
    /// measurement once, one after the other, so a baseline and the figure compared with it are
    /// taken moments apart. Each row reports the median over the rounds, and its ratio is the
    /// median of the per-round ratios, so load on the machine changing during the run cancels out.
    /// - Parameter progress: called with a line before each measurement.
    public func run(progress: (String) -> Void = { _ in }) throws -> [Result] {
        let connection = try RedisConnection(configuration: connectionConfiguration)
        let name = try QueueName("bench-\(UInt32.random(in: .min ... .max))")
        let queue = Queue(name: name, connection: connection)
        defer { try? Self.deleteKeys(of: queue) }
        let rounds = max(1, configuration.rounds)
        let chunk = max(configuration.batchSize, configuration.jobs / rounds)
        let scratch = RedisArgument(queue.keys.base + "bench-scratch")
        let trivial = RedisScript(name: "bench-trivial", source: String(decoding: PackageResources.trivial_lua, as: UTF8.self))
        let batch = (0..<configuration.batchSize).map { _ in NewJob(payload: "{}", options: EnqueueOptions(type: "noop")) }
        let batchesPerRound = max(1, chunk / configuration.batchSize)
        var samples: [String: [Double]] = [:]

        for round in 1...rounds {
            progress("round \(round) of \(rounds): \(chunk) operations per measurement")
            let lpush = try rate(chunk) { _ = try connection.command(["LPUSH", scratch, "x"]) }
            _ = try connection.command(["DEL", scratch])
            let evalsha = try rate(chunk) { _ = try connection.run(trivial, keys: queue.keys.scriptKeys, arguments: []) }
            let single = try rate(chunk) { _ = try queue.enqueue(payload: "{}", options: EnqueueOptions(type: "noop")) }
            let drain = try drainRate(queue, jobs: chunk)
            for prefetch in Self.prefetchCurve {
                let rate = try drainRate(queue, jobs: chunk, prefetch: prefetch)
                samples["prefetch \(prefetch)", default: []].append(rate)
                samples["prefetch \(prefetch)/evalsha", default: []].append(rate / evalsha)
            }
            let prioritized = try drainRate(queue, jobs: chunk, priorities: JobPriority.allCases)
            try queue.setRateLimit(RateLimit(count: 1_000_000, period: .seconds(1), burst: 1000))
            let limited = try drainRate(queue, jobs: chunk)
            try queue.setRateLimit(nil)
            let batched = try rate(batchesPerRound) { _ = try queue.enqueue(batch: batch) } * Double(configuration.batchSize)
            _ = try drainRate(queue, jobs: batchesPerRound * configuration.batchSize)
            for (key, value) in [
                ("lpush", lpush), ("evalsha", evalsha), ("single", single), ("drain", drain), ("limited", limited), ("batched", batched),
                ("prioritized", prioritized), ("prioritized/drain", prioritized / drain),
                ("single/lpush", single / lpush), ("drain/evalsha", drain / evalsha), ("limited/drain", limited / drain),
                ("batched/single", batched / single),
            ] { samples[key, default: []].append(value) }
        }
        func median(_ key: String) -> Double { Self.median(samples[key] ?? []) }

        var rows = [
            Result(name: "raw LPUSH, one client", value: median("lpush"), unit: "ops/s"),
            Result(name: "raw EVALSHA (return 1), one client", value: median("evalsha"), unit: "ops/s"),
            Result(name: "enqueue, one at a time", value: median("single"), unit: "ops/s", ratio: median("single/lpush"), baseline: "raw LPUSH"),
            Result(name: "drain, one worker, no-op", value: median("drain"), unit: "jobs/s", ratio: median("drain/evalsha"), baseline: "raw EVALSHA"),
        ]
        rows += Self.prefetchCurve.map { prefetch in
            Result(
                name: "drain, one worker, no-op, prefetch \(prefetch)", value: median("prefetch \(prefetch)"), unit: "jobs/s",
                ratio: median("prefetch \(prefetch)/evalsha"), baseline: "raw EVALSHA")
        }
        rows += [
            Result(name: "drain, one worker, rate limit set", value: median("limited"), unit: "jobs/s", ratio: median("limited/drain"), baseline: "drain, one worker, no-op"),
            Result(
                name: "drain, one worker, jobs of all three priorities", value: median("prioritized"), unit: "jobs/s",
                ratio: median("prioritized/drain"), baseline: "drain, one worker, no-op"),
            Result(name: "enqueue, batches of \(configuration.batchSize)", value: median("batched"), unit: "ops/s", ratio: median("batched/single"), baseline: "enqueue, one at a time"),
        ]

        progress("enqueue-to-start latency, idle worker (\(configuration.latencySamples) jobs)")
        // The baseline is what `make bench` divides by too: one client's LPUSH round trips, back to
        // back, each timed (redis-benchmark -c 1 reports their p50 and p99).
        var roundTrips: [Double] = []
        roundTrips.reserveCapacity(chunk)
        for _ in 0..<chunk {
            let sent = ContinuousClock.now
            _ = try connection.command(["LPUSH", scratch, "x"])
            roundTrips.append((ContinuousClock.now - sent).seconds * 1_000_000)
        }
        _ = try connection.command(["DEL", scratch])
        let raw = Self.percentiles(roundTrips)
        let wake = try rawWake(queue, samples: configuration.latencySamples)
        let (p50, p99) = try latency(queue, samples: configuration.latencySamples)
        rows.append(Result(name: "raw LPUSH round trip p50", value: raw.p50, unit: "µs"))
        rows.append(Result(name: "raw LPUSH round trip p99", value: raw.p99, unit: "µs"))
        rows.append(Result(name: "raw LPUSH waking a BLMOVE, p50", value: wake.p50, unit: "µs", ratio: wake.p50 / raw.p50, baseline: "raw LPUSH round trip p50"))
        rows.append(Result(name: "raw LPUSH waking a BLMOVE, p99", value: wake.p99, unit: "µs", ratio: wake.p99 / raw.p99, baseline: "raw LPUSH round trip p99"))
        rows.append(Result(name: "enqueue-to-start latency p50", value: p50, unit: "µs", ratio: p50 / raw.p50, baseline: "raw LPUSH round trip p50"))
        rows.append(Result(name: "enqueue-to-start latency p99", value: p99, unit: "µs", ratio: p99 / raw.p99, baseline: "raw LPUSH round trip p99"))
        if configuration.memoryJobs > 0 {
            progress("Redis memory per waiting job (\(configuration.memoryJobs) jobs)")
            rows += try memoryRows(queue, scratch: scratch)
        }
        if configuration.commandJobs > 0 && FileManager.default.isExecutableFile(atPath: configuration.python) {
            rows += try commandRows(queue, progress: progress)
        }
        return rows
    }

    /// Redis memory per waiting job: `used_memory` after ``Configuration/memoryJobs`` small jobs
    /// (payload `{"n":…}`, enqueued in batches of 1,000 as `jobq enqueue --jsonl` does) minus
    /// before, over their number; beside it a bare list entry `{"payload":{}}`, the least any
    /// queue can store. The jobs are then drained (not timed). Read on a server no one else
    /// writes to, or the figure includes their writes.
    private func memoryRows(_ queue: Queue, scratch: RedisArgument) throws -> [Result] {
        let count = configuration.memoryJobs
        func used() throws -> Double { Double(try RedisMemory.read(on: queue.connection).usedBytes ?? 0) }
        var before = try used()
        for start in stride(from: 0, to: count, by: 1000) {
            let entries = (start..<min(count, start + 1000)).map { _ in RedisArgument(#"{"payload":{}}"#) }
            _ = try queue.connection.command(["LPUSH", scratch] + entries)
        }
        let entry = (try used() - before) / Double(count)
        _ = try queue.connection.command(["DEL", scratch])
        before = try used()
        for start in stride(from: 0, to: count, by: 1000) {
            _ = try queue.enqueue(batch: (start..<min(count, start + 1000)).map { n in
                NewJob(payload: #"{"n":\#(n)}"#, options: EnqueueOptions(type: "noop"))
            })
        }
        let job = (try used() - before) / Double(count)
        _ = try drainRate(queue, jobs: count)
        return [
            Result(name: "Redis memory, bare list entry", value: entry, unit: "B"),
            Result(name: "Redis memory per waiting job", value: job, unit: "B", ratio: job / entry, baseline: "bare list entry"),
        ]
    }

    /// A Python handler whose start costs 50 ms (standing in for its imports): in mode `exec` it
    /// reads one job from stdin and exits; in mode `persistent` it answers every request line.
    static let pythonHandler = #"""
        import json, sys, time
        time.sleep(0.05)
        if sys.argv[1] == "exec":
            json.load(sys.stdin)
        else:
            for line in sys.stdin:
                job = json.loads(line)
                sys.stdout.write(json.dumps({"id": job["id"], "status": "ok"}) + "\n")
                sys.stdout.flush()
        """#

    /// One worker draining jobs through ``pythonHandler``: started per job, then kept running.
    private func commandRows(_ queue: Queue, progress: (String) -> Void) throws -> [Result] {
        let execJobs = configuration.commandJobs
        progress("command handler: \(execJobs) jobs with a Python process per job")
        let perJob = try commandDrainRate(queue, jobs: execJobs, mode: "exec")
        let persistentJobs = execJobs * 25
        progress("command handler: \(persistentJobs) jobs through one long-lived Python process")
        let persistent = try commandDrainRate(queue, jobs: persistentJobs, mode: "persistent")
        return [
            Result(name: "drain, Python handler (50 ms import), process per job", value: perJob, unit: "jobs/s"),
            Result(
                name: "drain, same handler, one persistent process", value: persistent, unit: "jobs/s", ratio: persistent / perJob,
                baseline: "process per job"),
        ]
    }

    private func commandDrainRate(_ queue: Queue, jobs: Int, mode: String) throws -> Double {
        let batch = (0..<min(jobs, 1000)).map { n in NewJob(payload: #"{"n":\#(n)}"#, options: EnqueueOptions(type: "command")) }
        var queued = 0
        while queued < jobs {
            _ = try queue.enqueue(batch: Array(batch.prefix(min(1000, jobs - queued))))
            queued += min(1000, jobs - queued)
        }
        var command = CommandHandler.Configuration(command: [configuration.python, "-c", Self.pythonHandler, mode])
        if mode == "persistent" { command.persistent = PersistentCommand.Configuration() }
        let handler = try CommandHandler(configuration: command)
        defer { handler.stop() }
        var workerConfiguration = Worker.Configuration()
        workerConfiguration.maxJobs = jobs
        let worker = Worker(queue: queue, configuration: workerConfiguration, logger: .init(label: "jobq.bench")) { handler.handle($0) }
        let start = ContinuousClock.now
        _ = try worker.run()
        return Double(jobs) / (ContinuousClock.now - start).seconds
    }

    /// The prefetch settings the drain is measured with besides 1 (the plain drain row).
    static let prefetchCurve = [8, 32, 128]

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    private func rate(_ count: Int, _ body: () throws -> Void) throws -> Double {
        let start = ContinuousClock.now
        for _ in 0..<count { try body() }
        return Double(count) / (ContinuousClock.now - start).seconds
    }

    /// Enqueues `jobs` no-op jobs (in batches, not timed) unless already queued, then times one
    /// worker draining them.
    /// - Parameter priorities: the levels the jobs get in turn (all normal by default).
    /// - Parameter prefetch: the worker's ``Worker/Configuration/prefetch``.
    private func drainRate(_ queue: Queue, jobs: Int, priorities: [JobPriority] = [.normal], prefetch: Int = 1) throws -> Double {
        if try queue.counts().waiting < jobs {
            let batch = (0..<1000).map { n in
                NewJob(payload: "{}", options: EnqueueOptions(type: "noop", priority: priorities[n % priorities.count]))
            }
            var queued = try queue.counts().waiting
            while queued < jobs {
                _ = try queue.enqueue(batch: Array(batch.prefix(min(1000, jobs - queued))))
                queued = try queue.counts().waiting
            }
        }
        var configuration = Worker.Configuration()
        configuration.maxJobs = jobs
        configuration.prefetch = prefetch
        let worker = Worker(queue: queue, configuration: configuration, logger: .init(label: "jobq.bench")) { _ in .completed }
        let start = ContinuousClock.now
        _ = try worker.run()
        return Double(jobs) / (ContinuousClock.now - start).seconds
    }

    /// Sends jobs one at a time to a worker waiting in Redis; measures from just before the
    /// enqueue call to the handler's first line, on one monotonic clock.
    private func latency(_ queue: Queue, samples: Int) throws -> (p50: Double, p99: Double) {
        let started = DispatchSemaphore(value: 0)
        let workerQueue = Queue(name: queue.name, connection: try RedisConnection(configuration: connectionConfiguration))
        var configuration = Worker.Configuration()
        configuration.maxJobs = samples
        let startTimes = Mutex<[ContinuousClock.Instant]>([])
        let worker = Worker(queue: workerQueue, configuration: configuration, logger: .init(label: "jobq.bench")) { _ in
            startTimes.withLock { $0.append(.now) }
            started.signal()
            return .completed
        }
        let thread = Thread { _ = try? worker.run() }
        thread.start()
        usleep(200_000)
        var micros: [Double] = []
        for _ in 0..<samples {
            usleep(2_000)  // let the worker go back to waiting in Redis
            let sent = ContinuousClock.now
            _ = try queue.enqueue(payload: "{}", options: EnqueueOptions(type: "noop"))
            guard started.wait(timeout: .now() + 10) == .success else { break }
            let at = startTimes.withLock { $0.last! }
            micros.append((at - sent).seconds * 1_000_000)
        }
        worker.stop()
        return Self.percentiles(micros)
    }

    /// The latency probe without jobq, for the floor of this machine: a thread waiting in BLMOVE on
    /// a connection of its own is woken by an LPUSH, 2 ms after it last woke, as the worker is by an
    /// enqueue; measured from just before the LPUSH to the moment BLMOVE returns.
    private func rawWake(_ queue: Queue, samples: Int) throws -> (p50: Double, p99: Double) {
        let source = RedisArgument(queue.keys.base + "bench-wake"), destination = RedisArgument(queue.keys.base + "bench-woken")
        let waiter = try RedisConnection(configuration: connectionConfiguration)
        let woken = DispatchSemaphore(value: 0)
        let wakeTimes = Mutex<[ContinuousClock.Instant]>([])
        let stopping = Mutex(false)
        let thread = Thread {
            while !stopping.withLock({ $0 }) {
                guard let reply = try? waiter.blockingCommand(["BLMOVE", source, destination, "RIGHT", "LEFT", "1"], timeout: .seconds(1)),
                      !reply.isNull
                else { continue }
                wakeTimes.withLock { $0.append(.now) }
                woken.signal()
            }
        }
        thread.start()
        usleep(200_000)
        var micros: [Double] = []
        for _ in 0..<samples {
            usleep(2_000)
            let sent = ContinuousClock.now
            _ = try queue.connection.command(["LPUSH", source, "x"])
            guard woken.wait(timeout: .now() + 10) == .success else { break }
            let at = wakeTimes.withLock { $0.last! }
            micros.append((at - sent).seconds * 1_000_000)
        }
        stopping.withLock { $0 = true }
        _ = try queue.connection.command(["LPUSH", source, "x"])  // the last wake lets the thread end
        _ = woken.wait(timeout: .now() + 2)
        _ = try queue.connection.command(["DEL", source, destination])
        return Self.percentiles(micros)
    }

    /// The 50th and 99th percentiles of `values` (0 for none).
    static func percentiles(_ values: [Double]) -> (p50: Double, p99: Double) {
        guard !values.isEmpty else { return (0, 0) }
        let sorted = values.sorted()
        return (sorted[sorted.count / 2], sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))])
    }

    /// Deletes the queue's keys: SCAN on each primary (in a cluster, the one that owns the queue's
    /// slot is where they are), UNLINK what it finds.
    static func deleteKeys(of queue: Queue) throws {
        try queue.connection.scan(matching: queue.keys.base + "*") { keys in
            if !keys.isEmpty { _ = try queue.connection.command(["UNLINK"] + keys.map { RedisArgument($0) }) }
        }
        _ = try queue.connection.command(["SREM", RedisArgument(QueueKeys.registry), RedisArgument(queue.name.rawValue)])
    }
}
