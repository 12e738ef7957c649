import Foundation
import Logging
import RedisClient
import Synchronization

/// The worker's background thread: extends the running job's lease (and, for a prefetching
/// worker, the leases of the other jobs it holds, in the same call), heartbeats into the worker
/// registry, and cancels a run whose lease is lost, whose timeout passed, or whose shutdown grace
/// ended. It has its own Redis connection, so it never waits behind the blocking fetch.
final class LeaseKeeper: Sendable {
    private let consumer: Consumer
    private var queue: Queue { consumer.queue }
    private var consumerID: String { consumer.id }
    private let configuration: Worker.Configuration
    private let control: WorkerControl
    private let logger: Logger
    private let condition = NSCondition()
    private let state = Mutex<State>(State())
    private let startedAt = Int64(Date().timeIntervalSince1970 * 1000)
    /// Signalled when the thread has left the registry and ended.
    private let ended = DispatchSemaphore(value: 0)

    private struct State {
        var context: JobContext?
        var contextStartedAt = ContinuousClock.now
        /// The batch a prefetching worker leased last: its jobs wait in the buffer, run, or are
        /// finished and not yet acked. Their leases are extended with the running job's, except
        /// those in `settled`.
        var held: [ReservedJob] = []
        /// Ids of held jobs settled on their own (failed, retried, released): no lease to extend.
        var settled: Set<String> = []
        /// When the held jobs' leases are next extended.
        var heldExtendDue = ContinuousClock.now
        /// Held jobs whose lease was found lost: the worker must not start them.
        var lostHeld: Set<String> = []
        /// Whether the last extension of the held jobs found the queue paused.
        var queuePaused = false
        var finished = false
        var processed = 0
        var lastWake = ContinuousClock.now - .seconds(3600)
        /// Set by ``wake()`` and cleared by the thread, so a wake that comes before the thread
        /// waits is not lost.
        var woken = false
    }

    /// A run start wakes the keeper (to show the job in the registry and watch its timeout) at most
    /// this often; a backlog of short jobs does not cost a thread switch per job.
    private static let wakeSpacing: Duration = .seconds(1)
    /// A run's progress is saved at most this often.
    private static let progressSpacing: Duration = .seconds(1)

    init(consumer: Consumer, configuration: Worker.Configuration, control: WorkerControl, logger: Logger) {
        self.consumer = consumer
        self.configuration = configuration
        self.control = control
        self.logger = logger
    }

    func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "jobq-lease-keeper"
        thread.start()
    }

    /// A run started: keep its lease, show it in the registry, watch its timeout.
    func begin(_ context: JobContext) {
        let shouldWake = state.withLock { state -> Bool in
            state.context = context
            state.contextStartedAt = .now
            guard ContinuousClock.now - state.lastWake >= Self.wakeSpacing else { return false }
            state.lastWake = .now
            return true
        }
        if shouldWake { wake() }
    }

    /// A prefetching worker leased a new batch: `jobs` are all it now holds (the earlier batch
    /// is settled); their leases were just taken, so they are next extended a third of a lease
    /// from now.
    func holdBatch(_ jobs: [ReservedJob]) {
        let due = ContinuousClock.now + queue.configuration.lease / 3
        state.withLock {
            $0.held = jobs
            $0.settled = []
            $0.heldExtendDue = due
            $0.lostHeld = []
            $0.queuePaused = false
        }
    }

    /// Held job `id` was settled on its own (failed, retried, released): its lease is no longer
    /// extended.
    func settled(_ id: String) {
        state.withLock { _ = $0.settled.insert(id) }
    }

    /// Whether the last extension of the held jobs found the queue paused: a prefetching worker
    /// then gives back the jobs it has not started.
    var heldQueuePaused: Bool { state.withLock { $0.queuePaused } }

    /// Whether the lease of held job `id` was found lost (then it must not start).
    func heldLeaseLost(_ id: String) -> Bool {
        state.withLock { $0.lostHeld.contains(id) }
    }

    /// The run ended (successfully or not).
    func end() {
        state.withLock {
            $0.context = nil
            $0.processed += 1
        }
    }

    /// Ends the thread and waits until it has removed the worker's registry entry (a few seconds
    /// at most, when Redis is away).
    func finish() {
        state.withLock { $0.finished = true }
        wake()
        _ = ended.wait(timeout: .now() + .seconds(5))
    }

    private func wake() {
        state.withLock { $0.woken = true }
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }

    private func loop() {
        var connection: RedisConnection?
        let extendEvery = queue.configuration.lease / 3
        var nextExtend = ContinuousClock.now + extendEvery
        var nextHeartbeat = ContinuousClock.now
        var heartbeatFor: String?
        var runSeen: ContinuousClock.Instant?
        var evictedReported: String?
        var progressSent: JobProgress?
        var nextProgress = ContinuousClock.now
        while true {
            let (context, runStart, finished, processed) = state.withLock { ($0.context, $0.contextStartedAt, $0.finished, $0.processed) }
            let (held, settled, heldDue) = state.withLock { ($0.held, $0.settled, $0.heldExtendDue) }
            if finished { break }
            let now = ContinuousClock.now
            if let context {
                // A new run; a retry of the same job the keeper did not see end is one too.
                if heartbeatFor != context.job.id || runSeen != runStart {
                    heartbeatFor = context.job.id
                    runSeen = runStart
                    nextHeartbeat = now
                    nextExtend = runStart + extendEvery
                    progressSent = nil
                }
                if let timeout = configuration.jobTimeout, now - runStart >= timeout { context.cancel(.timeout) }
                if let stopAt = control.stopRequestedAt, now - stopAt >= configuration.shutdownGrace { context.cancel(.shutdown) }
                // New progress rides on an extension sent early for it, at most once a second.
                let progress = now >= nextProgress ? context.progress : nil
                let newProgress = progress != nil && progress != progressSent
                if now >= nextExtend || newProgress || (!held.isEmpty && now >= heldDue) {
                    nextExtend = now + extendEvery
                    if newProgress { nextProgress = now + Self.progressSpacing }
                    let sent = held.isEmpty
                        ? extend(context, progress: newProgress ? progress : nil, &connection, evictedReported: &evictedReported)
                        : extendAll(context, held, settled: settled, progress: newProgress ? progress : nil, &connection, evictedReported: &evictedReported)
                    if sent, newProgress { progressSent = progress }
                }
            } else {
                heartbeatFor = nil
                if !held.isEmpty && now >= heldDue {
                    _ = extendAll(nil, held, settled: settled, progress: nil, &connection, evictedReported: &evictedReported)
                }
            }
            if now >= nextHeartbeat {
                nextHeartbeat = now + configuration.heartbeatInterval
                heartbeat(context, processed: processed, &connection)
            }
            var wakeAt = min(nextHeartbeat, now + extendEvery)
            if context != nil { wakeAt = min(wakeAt, nextExtend, now + Self.wakeSpacing) }
            if !held.isEmpty { wakeAt = min(wakeAt, heldDue) }
            condition.lock()
            if !state.withLock({ $0.finished || $0.woken }) {
                _ = condition.wait(until: Date().addingTimeInterval(max(0.001, (wakeAt - ContinuousClock.now).seconds)))
            }
            state.withLock { $0.woken = false }
            condition.unlock()
        }
        _ = try? (connection ?? queue.connection).command(["DEL", RedisArgument(queue.keys.worker(consumerID))])
        ended.signal()
    }

    /// Extends the run's lease, saving `progress` with it when given. Returns whether the call went
    /// through (whatever it found).
    private func extend(_ context: JobContext, progress: JobProgress?, _ connection: inout RedisConnection?, evictedReported: inout String?) -> Bool {
        do {
            let link = try open(&connection)
            switch try consumer.extendLease(context.job, progress: progress, on: link) {
            case .extended:
                break
            case .evicted:
                guard evictedReported != context.job.id else { break }
                evictedReported = context.job.id
                logger.warning("job \(context.job.id): Redis evicted its record while it runs; the run goes on, and the job is counted lost when it ends (it does not run again)")
            case .lost:
                logger.warning("job \(context.job.id): lease lost; stopping its run")
                context.cancel(.leaseLost)
            }
            return true
        } catch {
            connection = nil
            logger.warning("job \(context.job.id): could not extend the lease (\(error)); retrying")
            return false
        }
    }

    /// Extends, in one call, the running job's lease (when one runs) and those of the other jobs
    /// the worker holds (`held` but not `settled`); records the held ones found lost, so the worker
    /// does not start them. Returns whether the call went through.
    private func extendAll(
        _ context: JobContext?, _ held: [ReservedJob], settled: Set<String>, progress: JobProgress?, _ connection: inout RedisConnection?,
        evictedReported: inout String?
    ) -> Bool {
        let running = context.map { [$0.job] } ?? []
        let jobs = running + held.filter { $0.id != context?.job.id && !settled.contains($0.id) }
        guard !jobs.isEmpty else { return true }
        // Next due a third of a lease from now, whether or not this call goes through.
        state.withLock { $0.heldExtendDue = ContinuousClock.now + queue.configuration.lease / 3 }
        do {
            let link = try open(&connection)
            let (answers, paused) = try consumer.extendLeases(jobs, progress: context == nil ? nil : progress, on: link)
            state.withLock { $0.queuePaused = paused }
            for (job, answer) in zip(jobs, answers) {
                let running = job.id == context?.job.id && job.token == context?.job.token
                switch answer {
                case .extended:
                    break
                case .evicted:
                    guard evictedReported != job.id else { break }
                    evictedReported = job.id
                    logger.warning("job \(job.id): Redis evicted its record while it is held; it is counted lost when settled (it does not run again)")
                case .lost where running:
                    logger.warning("job \(job.id): lease lost; stopping its run")
                    context?.cancel(.leaseLost)
                case .lost:
                    logger.warning("job \(job.id): lease lost while it waited in the prefetch buffer; it will not start here")
                    state.withLock { _ = $0.lostHeld.insert(job.id) }
                }
            }
            return true
        } catch {
            connection = nil
            logger.warning("could not extend the leases of \(jobs.count) held jobs (\(error)); retrying")
            return false
        }
    }

    private func heartbeat(_ context: JobContext?, processed: Int, _ connection: inout RedisConnection?) {
        var info: [(String, String)] = [
            ("host", ProcessInfo.processInfo.hostName), ("pid", String(getpid())), ("queue", queue.name.rawValue),
            ("started_at", String(startedAt)), ("processed", String(processed)),
            ("rss", String(ResidentMemory.currentBytes())), ("job", context?.job.id ?? ""),
            ("job_started_at", context.map { String($0.job.startedAt) } ?? ""),
        ]
        // Stored in Redis and shown by jobq stats: a credential in a command line never gets there.
        info.append(contentsOf: configuration.registryInfo.sorted { $0.key < $1.key }.map { ($0.key, SecretRedaction.redact($0.value)) })
        do {
            let link = try open(&connection)
            try queue.heartbeat(consumer: consumerID, ttl: queue.configuration.consumerTTL, info: info, on: link)
        } catch {
            connection = nil
            logger.debug("heartbeat failed: \(error)")
        }
    }

    private func open(_ connection: inout RedisConnection?) throws -> RedisConnection {
        if let connection { return connection }
        let opened = try RedisConnection(configuration: queue.connection.configuration)
        connection = opened
        return opened
    }
}

/// The resident set size of this process.
enum ResidentMemory {
    /// Bytes resident in RAM, from `/proc/self/statm`; 0 where unavailable.
    static func currentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
