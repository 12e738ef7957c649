import RedisClient

/// Settling a reserved job, on the consumer's own connection: each call is one script, and only
/// the holder of the job's lease (its token) can settle it.
extension Consumer {
    /// The most bytes of a run's result kept with a completed job: 4 KiB.
    public static let resultMaxBytes = 4096

    /// Acks `job` and, in the same round trip, reserves the next one without blocking.
    /// - Parameters:
    ///   - result: the run's result, kept with the job where the queue keeps a history (its last
    ///     ``resultMaxBytes`` bytes, credentials masked); `nil` for none.
    ///   - progress: the run's last progress, kept with it the same way; `nil` for none.
    /// - Returns: whether the ack took effect (`false`: the lease was lost); whether the job's hash
    ///   had been evicted while it ran (then it is acked too: its locks are released and it is
    ///   counted lost, not processed, and it does not run again); and the next outcome.
    public func complete(
        _ job: ReservedJob, result: String? = nil, progress: JobProgress? = nil, reserveNext: Bool
    ) throws -> (acked: Bool, evicted: Bool, next: ReserveOutcome?) {
        var arguments: [RedisArgument] = [
            RedisArgument(job.id), RedisArgument(job.token), RedisArgument(result.map(Self.keptResult) ?? ""),
            RedisArgument(progress?.storedJSON ?? ""), reserveNext ? "1" : "0",
        ]
        if reserveNext {
            arguments += ReserveCall.arguments(consumer: id, fetched: false, promote: promotionDue(), configuration: queue.configuration)
        }
        let reply = try queue.redis { try connection.run(QueueScripts.complete, keys: queue.keys.scriptKeys, arguments: arguments) }
        guard let parts = reply.array, let status = parts.first?.string, ["acked", "evicted", "stale"].contains(status) else {
            throw JobQueueError.protocolMismatch("complete", reply)
        }
        let next = parts.count > 1 ? try ReserveCall.outcome(parts[1]) : nil
        return (status != "stale", status == "evicted", next ?? nil)
    }

    /// Acknowledges a finished job: it is deleted, or kept as completed where the queue keeps a
    /// history (``Queue/keepCompleted(_:)``). Idempotent; only the lease owner can ack.
    /// - Parameter result: the run's result, as in ``complete(_:result:progress:reserveNext:)``.
    /// - Returns: `true` when acked now, `false` when the token no longer holds the lease (acked
    ///   before, or the lease expired and the job went back to the queue).
    @discardableResult
    public func ack(_ job: ReservedJob, result: String? = nil) throws -> Bool {
        try complete(job, result: result, reserveNext: false).acked
    }

    /// A result as it is kept: its last ``resultMaxBytes`` bytes (whole characters), credentials
    /// masked. Masked before the cut, over twice as much text (``resultReadBytes``), so a cut can
    /// never fall inside a credential and leave its end showing without what marks it as one.
    static func keptResult(_ result: String) -> String {
        let masked = SecretRedaction.redact(lastBytes(result, resultReadBytes))
        return lastBytes(masked, resultMaxBytes)
    }

    /// How much of the end of a result is read to mask it before it is cut: 8 KiB.
    static let resultReadBytes = 2 * resultMaxBytes

    /// The last `count` bytes of `text`, starting at a whole character.
    private static func lastBytes(_ text: String, _ count: Int) -> String {
        var utf8 = text.utf8.suffix(count)
        while let first = utf8.first, first & 0xC0 == 0x80 { utf8 = utf8.dropFirst() }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// What ``fail(_:error:permanently:)`` did.
    public enum FailOutcome: Sendable, Equatable {
        /// The job will run again at this time (ms since the epoch, Redis clock), `after` the
        /// failure was recorded.
        case retryScheduled(at: Int64, after: Duration)
        /// The job was dead-lettered with this reason.
        case deadLettered(reason: String)
        /// The token no longer holds the lease; nothing was changed.
        case stale
    }

    /// Records a failed run: the job is retried after a backoff delay, or dead-lettered when it has
    /// used all its attempts or when `permanently` is true.
    /// - Parameters:
    ///   - error: text kept with the job (cut to its last 4 KiB), credentials masked
    ///     (``SecretRedaction``).
    ///   - permanently: dead-letter now, without retries.
    ///   - reason: the dead-letter reason to record; `nil` describes the failure.
    public func fail(_ job: ReservedJob, error: String, permanently: Bool = false, reason: String? = nil) throws -> FailOutcome {
        let delay = queue.configuration.retryBackoff.delay(forAttempt: max(0, job.attempt - 1))
        let arguments: [RedisArgument] = [
            RedisArgument(job.id), RedisArgument(job.token), RedisArgument(SecretRedaction.redact(String(error.suffix(4096)))),
            RedisArgument(Int(delay.milliseconds)), permanently ? "1" : "0", RedisArgument(SecretRedaction.redact(reason ?? "")),
        ]
        let reply = try queue.redis { try connection.run(QueueScripts.fail, keys: queue.keys.scriptKeys, arguments: arguments) }
        guard let parts = reply.array, let status = parts.first?.string else { throw JobQueueError.protocolMismatch("fail", reply) }
        switch status {
        case "retry": return .retryScheduled(at: parts.count > 1 ? parts[1].integer ?? 0 : 0, after: delay)
        case "dead": return .deadLettered(reason: parts.count > 1 ? parts[1].string ?? "" : "")
        case "stale": return .stale
        default: throw JobQueueError.protocolMismatch("fail", reply)
        }
    }

    /// Puts a running job back without counting the run as a failure.
    /// - Parameters:
    ///   - delay: zero puts it at the front of the waiting list (runs next); more delays it.
    ///   - countAttempt: keep the run counted against `max_attempts` (default: give it back).
    /// - Returns: `false` when the token no longer holds the lease.
    @discardableResult
    public func release(_ job: ReservedJob, after delay: Duration = .zero, countAttempt: Bool = false) throws -> Bool {
        let arguments: [RedisArgument] = [
            RedisArgument(job.id), RedisArgument(job.token), RedisArgument(Int(delay.milliseconds)), countAttempt ? "1" : "0",
        ]
        let reply = try queue.redis { try connection.run(QueueScripts.release, keys: queue.keys.scriptKeys, arguments: arguments) }
        return reply.array?.first?.string == "released"
    }

    /// What ``extendLease(_:by:on:)`` found.
    public enum LeaseExtension: Sendable, Equatable {
        /// The lease (and the run's locks) now last `lease` from now.
        case extended
        /// The job's hash was evicted while it ran: nothing else can run it, so the run may
        /// finish; its lease and locks were extended all the same, and settling it counts it lost.
        case evicted
        /// The lease is lost (expired and reaped, or settled elsewhere): the run must stop.
        case lost
    }

    /// Extends the lease of a running job to `lease` from now (Redis clock).
    /// - Parameters:
    ///   - progress: the run's progress, saved with the job in the same call (shown by `jobq show`
    ///     and `jobq stats`); `nil` leaves what was saved.
    ///   - connection: the connection to send it on; `nil` uses this consumer's. A worker's lease
    ///     keeper passes its own, so an extension never waits behind a blocking fetch.
    /// - Returns: `.extended`, `.evicted` (the run may go on) or `.lost`.
    public func extendLease(
        _ job: ReservedJob, by lease: Duration? = nil, progress: JobProgress? = nil, on connection: RedisConnection? = nil
    ) throws -> LeaseExtension {
        var arguments: [RedisArgument] = [
            RedisArgument(job.id), RedisArgument(job.token), RedisArgument(Int((lease ?? queue.configuration.lease).milliseconds)),
        ]
        if let progress { arguments.append(RedisArgument(progress.storedJSON)) }
        let reply = try queue.redis { try (connection ?? self.connection).run(QueueScripts.extend, keys: queue.keys.scriptKeys, arguments: arguments) }
        switch reply.array?.first?.string {
        case "extended": return .extended
        case "evicted": return .evicted
        case "lost": return .lost
        default: throw JobQueueError.protocolMismatch("extend", reply)
        }
    }
}
