import RedisClient

/// Holding several leases at once (a prefetching worker): one script settles a batch and reserves
/// the next, one extends every lease held.
extension Consumer {
    /// A run that finished and is waiting to be acked with the next batch call.
    public struct FinishedRun: Sendable {
        /// The job that ran.
        public var job: ReservedJob
        /// Its result, kept as ``Consumer/complete(_:result:progress:reserveNext:)`` keeps it.
        public var result: String?
        /// Its last progress.
        public var progress: JobProgress?

        /// A finished run to ack.
        public init(job: ReservedJob, result: String? = nil, progress: JobProgress? = nil) {
            self.job = job
            self.result = result
            self.progress = progress
        }
    }

    /// What ``settleBatch(acking:givingBack:reservingUpTo:)`` did.
    public struct BatchSettlement: Sendable {
        /// Per acked run, in order: whether the ack took effect (`false`: its lease was lost).
        public var acked: [Bool]
        /// How many acked runs had their job's hash evicted while they ran (counted lost).
        public var evicted: Int
        /// How many of the jobs to give back were given back (the rest had lost their lease).
        public var givenBack: Int
        /// The jobs now leased to this consumer, in the order they should run.
        public var jobs: [ReservedJob]
        /// When no job was leased: why (empty, paused, throttled, saturated); `nil` when jobs were
        /// leased, none were asked for, or the script asks to be called again.
        public var refusal: ReserveOutcome?
    }

    /// In one round trip: acks `finished`, gives back `unstarted` (jobs leased to this consumer
    /// that it will not run: they wait again at the front of their level, in this order, their
    /// attempt not counted, their locks released), then reserves up to `count` jobs, each with its
    /// own lease. Reservation stops at the first refusal; each job takes its own rate-limit token,
    /// concurrency slot and concurrency-key lock. See `Lua/settle-batch.lua`.
    public func settleBatch(acking finished: [FinishedRun], givingBack unstarted: [ReservedJob], reservingUpTo count: Int) throws -> BatchSettlement {
        var arguments: [RedisArgument] = []
        arguments.reserveCapacity(2 * finished.count + 2 * unstarted.count + 10)
        arguments.append(RedisArgument(finished.count))
        // Most runs leave no result and no progress: only those that do send them, by place.
        var kept: [RedisArgument] = []
        for (place, run) in finished.enumerated() {
            arguments.append(RedisArgument(run.job.id))
            arguments.append(RedisArgument(run.job.token))
            let result = run.result.map(Self.keptResult) ?? "", progress = run.progress?.storedJSON ?? ""
            if !result.isEmpty || !progress.isEmpty {
                kept += [RedisArgument(place + 1), RedisArgument(result), RedisArgument(progress)]
            }
        }
        arguments.append(RedisArgument(kept.count / 3))
        arguments += kept
        arguments.append(RedisArgument(unstarted.count))
        for job in unstarted {
            arguments.append(RedisArgument(job.id))
            arguments.append(RedisArgument(job.token))
        }
        arguments.append(RedisArgument(max(0, count)))
        arguments += ReserveCall.arguments(consumer: id, fetched: false, promote: count > 0 && promotionDue(), configuration: queue.configuration)
        let reply = try queue.redis { try connection.run(QueueScripts.settleBatch, keys: queue.keys.scriptKeys, arguments: arguments) }
        guard let parts = reply.array, parts.count == 5, let acks = parts[0].array, let given = parts[1].array, let reserved = parts[2].array,
              case .integer(let now) = parts[3], let token = parts[4].string, acks.count == finished.count, given.count == unstarted.count
        else { throw JobQueueError.protocolMismatch("settle-batch", reply) }
        var acked: [Bool] = []
        acked.reserveCapacity(acks.count)
        var evicted = 0
        for status in acks {
            guard case .integer(let code) = status, (0...2).contains(code) else { throw JobQueueError.protocolMismatch("settle-batch", reply) }
            acked.append(code != 0)
            if code == 2 { evicted += 1 }
        }
        let (jobs, refusal) = try ReserveCall.batch(reserved, now: now, token: token)
        return BatchSettlement(acked: acked, evicted: evicted, givenBack: given.filter { $0.integer == 1 }.count, jobs: jobs, refusal: refusal)
    }

    /// Extends the leases of every job in `jobs` (and the locks their runs hold) to the queue's
    /// lease from now, in one round trip; `progress` is saved with the first (the running job).
    /// - Returns: one ``LeaseExtension`` per job, in order, and whether the queue is paused.
    public func extendLeases(
        _ jobs: [ReservedJob], progress: JobProgress? = nil, on connection: RedisConnection? = nil
    ) throws -> (leases: [LeaseExtension], queuePaused: Bool) {
        var arguments: [RedisArgument] = [RedisArgument(Int(queue.configuration.lease.milliseconds)), RedisArgument(progress?.storedJSON ?? "")]
        for job in jobs { arguments += [RedisArgument(job.id), RedisArgument(job.token)] }
        let reply = try queue.redis { try (connection ?? self.connection).run(QueueScripts.extendMany, keys: queue.keys.scriptKeys, arguments: arguments) }
        guard let answer = reply.array, answer.count == 2, let parts = answer[0].array, parts.count == jobs.count, let paused = answer[1].integer
        else { throw JobQueueError.protocolMismatch("extend-many", reply) }
        let leases: [LeaseExtension] = try parts.map { part in
            switch part.array?.first?.string {
            case "extended": return .extended
            case "evicted": return .evicted
            case "lost": return .lost
            default: throw JobQueueError.protocolMismatch("extend-many", reply)
            }
        }
        return (leases, paused == 1)
    }
}
