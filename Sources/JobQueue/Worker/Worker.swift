import Foundation
import HumanUnits
import Logging
import RedisClient
import Synchronization

/// Runs jobs of one queue through a handler, one at a time, until told to stop, idle for too long,
/// or done with a set number of jobs.
///
/// The loop blocks in Redis while there is nothing to do (no polling), acks and takes the next job
/// in one round trip while the queue is backlogged, extends the running job's lease from a
/// background thread on a connection of its own, heartbeats into the queue's worker registry,
/// takes part in the reaper election, and rides out Redis outages with capped backoff without
/// losing the job in hand. A Redis at `maxmemory` (`OOM`) is waited out the same way: the job in
/// hand is kept until its result can be saved. On a Redis that may evict keys the worker refuses
/// to run (see ``RedisConfiguration/evictionCheck``), when it connects and when a periodic
/// re-check finds the policy changed. ``run()`` blocks the calling thread: call it from a thread of your own
/// (the main thread of a worker process is ideal), never from Swift's cooperative pool.
public final class Worker: Sendable {
    /// Settings of the loop.
    public struct Configuration: Sendable {
        /// The consumer id; `nil` makes one (host-pid-random). A supervisor passes its own through
        /// `JOBQ_WORKER_ID` so it can recover the worker's jobs when it dies.
        public var consumerID: String?
        /// Stop after this long without a job, time spent waiting for an unreachable Redis
        /// included; `nil` runs until stopped. Default: `nil`.
        public var idleExit: Duration?
        /// Stop after this many jobs; `nil` for no limit. Default: `nil`.
        public var maxJobs: Int?
        /// Longest single wait in Redis for a job; the loop does its housekeeping in between.
        /// Default: 2 s.
        public var fetchWait: Duration = .seconds(2)
        /// How often the worker registry entry is refreshed. Default: 10 s.
        public var heartbeatInterval: Duration = .seconds(10)
        /// How long a graceful stop lets the running job go on before cancelling it. Default: 30 s.
        public var shutdownGrace: Duration = .seconds(30)
        /// Cancel a run after this long (the handler reports the failure). Default: `nil`, none.
        public var jobTimeout: Duration?
        /// Waits between reconnect attempts while Redis is unreachable. Default: 200 ms to 30 s.
        public var reconnectBackoff = Backoff(base: .milliseconds(200), cap: .seconds(30))
        /// Extra facts shown in `jobq stats` for this worker (e.g. the command it runs).
        public var registryInfo: [String: String] = [:]
        /// How many jobs the worker holds at once: above 1, one script call acks the jobs it
        /// finished and leases up to this many more, which then run one after the other from a
        /// local buffer (their leases kept alive together with the running job's). Worth raising for
        /// short jobs, where the round trip per job is most of the cost; keep 1 for long jobs, so
        /// waiting jobs go to whichever worker is free. See docs/worker.md. Default: 1.
        public var prefetch = 1

        /// The defaults.
        public init() {}
    }

    /// Why ``run()`` returned.
    public enum StopReason: String, Sendable {
        /// Nothing to do for ``Configuration/idleExit``.
        case idle
        /// ``Configuration/maxJobs`` jobs were run.
        case maxJobs
        /// ``stop()`` was called.
        case requested
    }

    /// The function that runs one job.
    public typealias Handler = @Sendable (JobContext) throws -> JobResult

    /// The queue the worker takes jobs from.
    public let queue: Queue
    /// The loop's settings.
    public let configuration: Configuration
    let handler: Handler
    let logger: Logger
    let control: WorkerControl

    /// Creates a worker; nothing runs until ``run()``.
    public init(queue: Queue, configuration: Configuration = Configuration(), logger: Logger = Logger(label: "jobq.worker"), handler: @escaping Handler) {
        self.queue = queue
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
        self.control = WorkerControl()
    }

    /// Asks the loop to stop: no new job is taken; the running job may finish within
    /// ``Configuration/shutdownGrace``, after which it is cancelled and put back without counting
    /// an attempt. With ``Configuration/prefetch`` above 1, the jobs leased but not started go back
    /// to the front of their waiting list without counting an attempt. Safe to call from any thread
    /// or a signal handler's queue.
    public func stop() {
        control.requestStop()
    }

    /// Runs the loop on the calling thread until it stops.
    /// - Returns: why it stopped.
    /// - Throws: ``JobQueueError`` only for errors that retrying cannot fix (bad credentials, a
    ///   Redis that may evict keys: its `redisError` has code `.evictionPolicy`).
    public func run() throws -> StopReason {
        var backoff = configuration.reconnectBackoff
        // Time spent waiting for an unreachable Redis counts as idle: a worker with --idle-exit
        // never waits forever for a Redis that has gone away.
        var lastWork = ContinuousClock.now
        let consumer: Consumer
        switch try retrying("connect", &backoff, idleSince: lastWork, { try Consumer(queue: queue, id: configuration.consumerID) }) {
        case .done(let connected): consumer = connected
        case .gaveUp(let reason): return reason
        }
        let keeper = LeaseKeeper(consumer: consumer, configuration: configuration, control: control, logger: logger)
        keeper.start()
        defer { keeper.finish() }
        logger.info("worker \(consumer.id) taking jobs from queue \(queue.name)")
        if configuration.prefetch > 1 { return try runPrefetching(consumer, keeper: keeper, idleSince: lastWork) }

        var processed = 0
        var nextReap = ContinuousClock.now
        var pending: ReserveOutcome?
        // What the last reserve found; after `.empty` the next one starts by waiting in Redis.
        var previous: ReserveOutcome?
        while true {
            if control.stopRequested { return .requested }
            if let maxJobs = configuration.maxJobs, processed >= maxJobs { return .maxJobs }
            try recheckEvictionPolicy(consumer)
            if ContinuousClock.now >= nextReap {
                nextReap = ContinuousClock.now + queue.configuration.reapInterval
                reapQuietly(holder: consumer.id)
            }
            let outcome: ReserveOutcome
            if let next = pending {
                outcome = next
                pending = nil
            } else {
                guard let wait = fetchWait(idleSince: lastWork) else { return .idle }
                switch try retrying("reserve", &backoff, idleSince: lastWork, { try consumer.reserve(waitingUpTo: wait, after: previous) }) {
                case .done(let fetched): outcome = fetched
                case .gaveUp(let reason): return reason
                }
            }
            previous = outcome
            switch outcome {
            case .empty, .throttled, .saturated:
                continue
            case .paused:
                control.sleep(for: min(.seconds(1), configuration.fetchWait))
            case .job(let job):
                let context = JobContext(job: job, queue: queue.name)
                keeper.begin(context)
                let result = runHandler(context)
                keeper.end()
                processed += 1
                let takeNext = !control.stopRequested && processed < (configuration.maxJobs ?? .max)
                pending = settle(context, result, consumer: consumer, takeNext: takeNext)
                lastWork = ContinuousClock.now
            }
        }
    }

    func runHandler(_ context: JobContext) -> JobResult {
        do {
            return try handler(context)
        } catch let error as JobQueueError where error.code == .invalidJob {
            return .failedPermanently(reason: error.message)
        } catch {
            return .failed(String(describing: error))
        }
    }

    /// How long the next reserve may wait in Redis for a job: the fetch wait, at most the reap
    /// interval, and no longer than what is left of the idle exit; `nil` when the worker has been
    /// idle for its idle exit (logged) and should stop.
    func fetchWait(idleSince lastWork: ContinuousClock.Instant) -> Duration? {
        let wait = min(configuration.fetchWait, queue.configuration.reapInterval)
        guard let idleExit = configuration.idleExit else { return wait }
        let remaining = idleExit - (ContinuousClock.now - lastWork)
        if remaining <= .zero {
            logger.info("idle for \(DurationText.format(idleExit)); exiting")
            return nil
        }
        return min(wait, remaining)
    }

    /// Settles a run with Redis; returns the next reserve outcome when the ack fetched one.
    func settle(_ context: JobContext, _ result: JobResult, consumer: Consumer, takeNext: Bool) -> ReserveOutcome? {
        let job = context.job
        var backoff = configuration.reconnectBackoff
        let giveUpAt = ContinuousClock.now + queue.configuration.lease
        switch context.cancellationReason {
        case .leaseLost:
            logger.warning("job \(job.id): lease lost while running; result discarded (the job runs again elsewhere)")
            return nil
        case .shutdown:
            _ = try? settleRetrying(&backoff, until: giveUpAt) { try consumer.release(job) }
            logger.info("job \(job.id): stopped by shutdown; put back without counting the attempt")
            return nil
        case .timeout, nil:
            break
        }
        switch result {
        case .completed:
            let answer = try? settleRetrying(&backoff, until: giveUpAt) { try consumer.complete(job, result: context.result, progress: context.progress, reserveNext: takeNext) }
            guard let answer else { return nil }
            if !answer.acked { logger.warning("job \(job.id): finished after its lease was lost; not acked (it runs again)") }
            if answer.evicted { logger.warning("job \(job.id): finished, but Redis had evicted its record while it ran; counted lost (it does not run again)") }
            return answer.next
        case .retryLater(let delay):
            _ = try? settleRetrying(&backoff, until: giveUpAt) { try consumer.release(job, after: delay) }
        case .failed(let message):
            if let outcome = try? settleRetrying(&backoff, until: giveUpAt, { try consumer.fail(job, error: message) }) {
                logger.info("\(SettleText.failed(job, error: message, outcome: outcome))")
            }
        case .failedPermanently(let reason):
            _ = try? settleRetrying(&backoff, until: giveUpAt) { try consumer.fail(job, error: reason, permanently: true, reason: reason) }
            logger.info("\(SettleText.deadLettered(job, reason: reason))")
        }
        return nil
    }

    /// Retries a settlement through Redis outages until `until` (the lease is gone by then anyway).
    /// While Redis is out of memory it keeps trying past `until` (until a stop is requested): a
    /// Redis at `maxmemory` refuses every write, so nobody can take the job over meanwhile, and the
    /// result is saved once memory is freed (or found stale if the reaper got there first).
    func settleRetrying<T>(_ backoff: inout Backoff, until deadline: ContinuousClock.Instant, _ body: () throws -> T) throws -> T {
        while true {
            do {
                return try body()
            } catch let error as JobQueueError where error.redisError?.isRetryable == true
                && (ContinuousClock.now < deadline || (error.redisError?.code == .outOfMemory && !control.stopRequested)) {
                let delay = backoff.next()
                logger.warning("Redis unavailable while saving a job's result (\(error.message)); retrying in \(DurationText.format(delay))")
                Thread.sleep(forTimeInterval: delay.seconds)
            }
        }
    }

    /// Retries `body` through transport errors with backoff.
    /// - Parameter idleSince: when the worker last had work; with ``Configuration/idleExit``,
    ///   retrying gives up once the worker has been idle that long.
    /// - Returns: the value, or why the loop should stop (a stop request, the idle time over).
    func retrying<T>(_ what: String, _ backoff: inout Backoff, idleSince: ContinuousClock.Instant, _ body: () throws -> T) throws -> Retried<T> {
        let idleDeadline = configuration.idleExit.map { idleSince + $0 }
        while !control.stopRequested {
            do {
                let value = try body()
                if backoff.attempt > 0 { logger.info("Redis reachable again") }
                backoff.reset()
                return .done(value)
            } catch let error as JobQueueError where error.redisError?.isRetryable == true {
                var delay = backoff.next()
                if let idleDeadline, let idleExit = configuration.idleExit {
                    let remaining = idleDeadline - ContinuousClock.now
                    if remaining <= .zero {
                        logger.info("idle for \(DurationText.format(idleExit)) (Redis unreachable: \(error.message)); exiting")
                        return .gaveUp(.idle)
                    }
                    delay = min(delay, remaining)
                }
                logger.warning("Redis unavailable (\(error.message)); \(what) retried in \(DurationText.format(delay))")
                control.sleep(for: delay)
            }
        }
        return .gaveUp(.requested)
    }

    /// What ``retrying(_:_:idleSince:_:)`` ended with.
    enum Retried<T> {
        /// The call succeeded with this value.
        case done(T)
        /// The loop should stop for this reason instead.
        case gaveUp(StopReason)
    }

    /// Checks Redis's eviction policy again when it is due (every few minutes). Only a refusal
    /// stops the loop; a failed check (Redis unreachable) is left to the next call to ride out.
    func recheckEvictionPolicy(_ consumer: Consumer) throws {
        do {
            try consumer.connection.recheckEvictionPolicyIfDue()
        } catch let error as RedisError where error.code == .evictionPolicy {
            throw JobQueueError(code: .redis, message: error.message, redisError: error)
        } catch {
            logger.debug("eviction policy not re-checked: \(error)")
        }
    }

    func reapQuietly(holder: String) {
        do {
            if let result = try queue.reap(holder: holder), result.requeued + result.deadLettered + result.orphansReturned > 0 {
                logger.info("reaper: \(result.requeued) expired leases requeued, \(result.deadLettered) dead-lettered, \(result.orphansReturned) orphaned fetches returned")
            }
        } catch {
            logger.debug("reaper pass skipped: \(error)")
        }
    }
}
