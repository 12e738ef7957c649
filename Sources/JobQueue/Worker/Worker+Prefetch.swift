import Foundation
import HumanUnits
import RedisClient

/// The loop of a worker whose ``Worker/Configuration/prefetch`` is above 1: it leases a batch of
/// jobs in one call, runs them one after the other from a local buffer, and acks the ones that
/// completed with the call that leases the next batch.
extension Worker {
    /// What a prefetching worker holds.
    private struct Batch {
        /// The jobs leased, in the order they run.
        var jobs: [ReservedJob] = []
        /// The index in `jobs` of the next job to start.
        var next = 0
        /// Completed, waiting to be acked with the next call.
        var finished: [Consumer.FinishedRun] = []

        /// Leased, not started, in the order they run.
        var unstarted: ArraySlice<ReservedJob> { jobs[next...] }
    }

    /// Runs the prefetching loop until it stops. Failed and retried runs are settled at once (as
    /// without prefetch); completed ones wait for the next batch call. Whenever the loop stops
    /// taking jobs (stop requested, ``Configuration/maxJobs`` reached, the running job's lease lost,
    /// the queue found paused by the lease extension of the held jobs),
    /// the jobs in the buffer go back to the front of their waiting list without counting an attempt.
    func runPrefetching(_ consumer: Consumer, keeper: LeaseKeeper, idleSince: ContinuousClock.Instant) throws -> StopReason {
        var backoff = configuration.reconnectBackoff
        var lastWork = idleSince
        var processed = 0
        var nextReap = ContinuousClock.now
        var batch = Batch()
        let maxJobs = configuration.maxJobs ?? .max
        while true {
            let stopping: StopReason? = control.stopRequested ? .requested : processed >= maxJobs ? .maxJobs : nil
            if let stopping {
                settleBatch(&batch, consumer: consumer, keeper: keeper, reservingUpTo: 0)
                return stopping
            }
            try recheckEvictionPolicy(consumer)
            if ContinuousClock.now >= nextReap {
                nextReap = ContinuousClock.now + queue.configuration.reapInterval
                reapQuietly(holder: consumer.id)
            }
            if !batch.unstarted.isEmpty && keeper.heldQueuePaused {
                logger.info("queue \(queue.name) paused; giving back the \(batch.unstarted.count) prefetched jobs not started")
                settleBatch(&batch, consumer: consumer, keeper: keeper, reservingUpTo: 0)
                continue
            }
            if !batch.unstarted.isEmpty {
                let job = batch.jobs[batch.next]
                batch.next += 1
                if keeper.heldLeaseLost(job.id) {
                    keeper.settled(job.id)
                    continue
                }
                let context = JobContext(job: job, queue: queue.name)
                keeper.begin(context)
                let result = runHandler(context)
                keeper.end()
                processed += 1
                lastWork = ContinuousClock.now
                switch (context.cancellationReason, result) {
                case (.leaseLost, _):
                    logger.warning("job \(job.id): lease lost while running; result discarded (the job runs again elsewhere); giving back the \(batch.unstarted.count) jobs not started")
                    settleBatch(&batch, consumer: consumer, keeper: keeper, reservingUpTo: 0)
                case (nil, .completed), (.timeout, .completed):
                    batch.finished.append(Consumer.FinishedRun(job: job, result: context.result, progress: context.progress))
                default:
                    _ = settle(context, result, consumer: consumer, takeNext: false)
                    keeper.settled(job.id)
                }
                continue
            }
            if !batch.finished.isEmpty {
                // One call: ack what completed, lease the next batch.
                let refusal = settleBatch(&batch, consumer: consumer, keeper: keeper, reservingUpTo: min(configuration.prefetch, maxJobs - processed))
                if refusal == .paused { control.sleep(for: min(.seconds(1), configuration.fetchWait)) }
                if !batch.unstarted.isEmpty || refusal != nil { continue }
            }
            // Nothing held: wait in Redis for one job, as without prefetch; the call that acks it
            // leases the next batch.
            guard let wait = fetchWait(idleSince: lastWork) else { return .idle }
            switch try retrying("reserve", &backoff, idleSince: lastWork, { try consumer.reserve(waitingUpTo: wait) }) {
            case .done(.job(let job)):
                batch.jobs = [job]
                keeper.holdBatch([job])
            case .done(.paused):
                control.sleep(for: min(.seconds(1), configuration.fetchWait))
            case .done:
                continue
            case .gaveUp(let reason):
                return reason
            }
        }
    }

    /// Acks the batch's finished runs, gives back its unstarted jobs and leases up to `count` new
    /// ones into it, in one call (retried through Redis outages for up to a lease). Returns why no
    /// job was leased, when Redis said so.
    @discardableResult
    private func settleBatch(_ batch: inout Batch, consumer: Consumer, keeper: LeaseKeeper, reservingUpTo count: Int) -> ReserveOutcome? {
        var backoff = configuration.reconnectBackoff
        let giveUpAt = ContinuousClock.now + queue.configuration.lease
        let (finished, unstarted) = (batch.finished, Array(batch.unstarted))
        batch = Batch()
        guard !finished.isEmpty || !unstarted.isEmpty || count > 0 else { return nil }
        let answer: Consumer.BatchSettlement
        do {
            answer = try settleRetrying(&backoff, until: giveUpAt) {
                try consumer.settleBatch(acking: finished, givingBack: unstarted, reservingUpTo: count)
            }
        } catch {
            logger.warning("could not settle \(finished.count) finished and \(unstarted.count) unstarted jobs (\(error)); their leases expire and they run again")
            keeper.holdBatch([])
            return nil
        }
        for (run, acked) in zip(finished, answer.acked) where !acked {
            logger.warning("job \(run.job.id): finished after its lease was lost; not acked (it runs again)")
        }
        if answer.evicted > 0 { logger.warning("\(answer.evicted) finished jobs had their record evicted by Redis while held; counted lost") }
        if !unstarted.isEmpty { logger.info("gave back \(answer.givenBack) prefetched jobs that had not started (attempts not counted)") }
        batch.jobs = answer.jobs
        keeper.holdBatch(answer.jobs)
        return answer.refusal
    }
}
