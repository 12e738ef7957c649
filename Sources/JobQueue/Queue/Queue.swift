import Foundation
import RedisClient
import Synchronization

/// A reliable job queue stored in Redis: enqueue, inspect and manage jobs.
///
/// To run jobs, create a ``Consumer`` (reserve / ack / fail yourself) or a ``Worker`` (a loop around
/// a handler). Every state change is one Lua script, so it happens entirely or not at all, and
/// every time stamp comes from the Redis server's clock. See `docs/guarantees.md`.
///
/// Methods are synchronous and may block on the network: call them from your own thread.
public final class Queue: Sendable {
    /// Settings of the client side of a queue. Settings stored in Redis (paused, limits) are
    /// changed with methods such as ``pause()``.
    public struct Configuration: Sendable {
        /// How long a reserved job stays leased without an extension. Default: 30 s.
        public var lease: Duration = .seconds(30)
        /// The largest job message accepted, in bytes. Default: 1 MiB.
        public var maxMessageBytes: Int = 1 << 20
        /// Starts allowed when a job does not say. Default: 5.
        public var defaultMaxAttempts: Int = 5
        /// Delays between a failed run and the next (exponential with jitter). Default: 1 s to 1 h.
        public var retryBackoff = Backoff(base: .seconds(1), cap: .seconds(3600))
        /// Crashes of a worker with the same job in hand after which that job is quarantined as
        /// poison (dead-lettered); 0 never quarantines. Default: 2.
        public var poisonThreshold: Int = 2
        /// How often some process runs a reaper pass. Default: 5 s.
        public var reapInterval: Duration = .seconds(5)
        /// How long a consumer may go without a heartbeat before what it fetched is handed back.
        /// Default: 60 s.
        public var consumerTTL: Duration = .seconds(60)

        /// The defaults.
        public init() {}
    }

    /// The queue's name.
    public let name: QueueName
    /// The queue's Redis keys.
    public let keys: QueueKeys
    /// The connection used for everything but blocking fetches.
    public let connection: RedisConnection
    /// Client-side settings.
    public let configuration: Configuration
    private let registered = Atomic<Bool>(false)

    /// Creates a handle on a queue; does no I/O.
    public init(name: QueueName, connection: RedisConnection, configuration: Configuration = Configuration()) {
        self.name = name
        self.keys = QueueKeys(queue: name)
        self.connection = connection
        self.configuration = configuration
    }

    // MARK: - Enqueue

    /// Adds one job.
    /// - Parameters:
    ///   - payload: the job's payload as JSON text (any JSON value).
    ///   - options: id, type, delay, attempts, unique key.
    /// - Returns: `.enqueued(id)` or `.duplicate(existingID)` when the unique key is taken.
    /// - Throws: ``JobQueueError`` `.invalidJob` (bad JSON, too large, bad option), `.jobExists`,
    ///   `.redis`.
    @discardableResult
    public func enqueue(payload: String, options: EnqueueOptions = EnqueueOptions()) throws -> EnqueueResult {
        try enqueue(batch: [NewJob(payload: payload, options: options)])[0]
    }

    /// Adds many jobs in one round trip: each script call carries up to 500 jobs, and the calls
    /// are pipelined.
    ///
    /// Each job is validated first; a batch with an invalid job is refused whole, before anything is
    /// sent. Each accepted job is added atomically on its own.
    /// - Returns: one result per job, in order.
    public func enqueue(batch jobs: [NewJob]) throws -> [EnqueueResult] {
        guard !jobs.isEmpty else { return [] }
        let calls = try stride(from: 0, to: jobs.count, by: 500).map { start in
            (keys: [keys.base], arguments: try jobs[start..<min(start + 500, jobs.count)].flatMap { try enqueueCall($0) })
        }
        try registerOnce()
        let replies = try redis {
            calls.count == 1
                ? [try connection.run(QueueScripts.enqueue, keys: calls[0].keys, arguments: calls[0].arguments)]
                : try connection.runPipelined(QueueScripts.enqueue, calls: calls)
        }
        return try replies.flatMap { reply -> [EnqueueResult] in
            if case .error(let text) = reply { throw JobQueueError(code: .redis, message: "enqueue failed: \(text)", redisError: .server(text)) }
            guard let results = reply.array else { throw JobQueueError.protocolMismatch("enqueue", reply) }
            return try results.map(Self.enqueueResult)
        }
    }

    private func enqueueCall(_ job: NewJob) throws -> [RedisArgument] {
        let options = job.options
        let id = try options.id.map(Self.validateID) ?? Self.generateID()
        let maxAttempts = options.maxAttempts ?? configuration.defaultMaxAttempts
        guard (1...1000).contains(maxAttempts) else {
            throw JobQueueError(code: .invalidJob, message: "max attempts must be from 1 to 1000, not \(maxAttempts)")
        }
        guard !options.type.isEmpty, options.type.utf8.count <= 200 else {
            throw JobQueueError(code: .invalidJob, message: "job type must be 1 to 200 characters")
        }
        if let unique = options.uniqueKey, unique.isEmpty || unique.utf8.count > 200 {
            throw JobQueueError(code: .invalidJob, message: "unique key must be 1 to 200 characters")
        }
        for (name, key) in [("limiter", options.limiter), ("concurrency key", options.concurrencyKey)] {
            if let key { try Self.validateLimitKey(key, name) }
        }
        guard options.delay >= .zero else {
            throw JobQueueError(code: .invalidJob, message: "delay must not be negative")
        }
        let payload = try JobMessage.validatedPayload(job.payload)
        let size = JobMessage.assemble(
            id: id, type: options.type, maxAttempts: maxAttempts, limiter: options.limiter,
            concurrencyKey: options.concurrencyKey, payload: payload).count
        guard size <= configuration.maxMessageBytes else {
            throw JobQueueError(code: .invalidJob, message: "job message is \(size) bytes, over the limit of \(configuration.maxMessageBytes)")
        }
        return [
            RedisArgument(id), RedisArgument(bytes: payload), RedisArgument(options.type), RedisArgument(maxAttempts),
            RedisArgument(Int(options.delay.milliseconds)), RedisArgument(options.uniqueKey ?? ""),
            RedisArgument(options.limiter ?? ""), RedisArgument(options.concurrencyKey ?? ""),
        ]
    }

    private static func enqueueResult(_ reply: RedisReply) throws -> EnqueueResult {
        guard let parts = reply.array, parts.count == 2, let status = parts[0].string, let id = parts[1].string else {
            throw JobQueueError.protocolMismatch("enqueue", reply)
        }
        switch status {
        case "ok": return .enqueued(id: id)
        case "duplicate": return .duplicate(existingID: id)
        case "exists": throw JobQueueError(code: .jobExists, message: "a job with id '\(id)' already exists in this queue")
        default: throw JobQueueError.protocolMismatch("enqueue", reply)
        }
    }

    // MARK: - Consuming (used by Consumer, on its own connection)

    func reserve(on connection: RedisConnection, consumer: String, fetched: Bool, promote: Bool) throws -> ReserveOutcome? {
        let reply = try redis {
            try connection.run(QueueScripts.reserve, keys: [keys.base], arguments: reserveArguments(consumer, fetched: fetched, promote: promote))
        }
        return try Self.reserveOutcome(reply)
    }

    func complete(on connection: RedisConnection, _ job: ReservedJob, nextFor consumer: String?, promote: Bool = false) throws -> (acked: Bool, next: ReserveOutcome?) {
        var arguments: [RedisArgument] = [RedisArgument(job.id), RedisArgument(job.token)]
        if let consumer {
            arguments.append("1")
            arguments.append(contentsOf: reserveArguments(consumer, fetched: false, promote: promote))
        } else {
            arguments.append("0")
        }
        let reply = try redis { try connection.run(QueueScripts.complete, keys: [keys.base], arguments: arguments) }
        guard let parts = reply.array, let status = parts.first?.string else { throw JobQueueError.protocolMismatch("complete", reply) }
        let next = parts.count > 1 ? try Self.reserveOutcome(parts[1]) : nil
        return (status == "acked", next ?? nil)
    }

    func reserveArguments(_ consumer: String, fetched: Bool, promote: Bool) -> [RedisArgument] {
        [
            RedisArgument(consumer), fetched ? "1" : "0", promote ? "1" : "0", RedisArgument(Int(configuration.lease.milliseconds)),
            RedisArgument(configuration.maxMessageBytes), RedisArgument(configuration.defaultMaxAttempts),
        ]
    }

    /// Decodes a reserve reply; `nil` means "busy: call again".
    static func reserveOutcome(_ reply: RedisReply) throws -> ReserveOutcome? {
        guard let parts = reply.array, let kind = parts.first?.string else { throw JobQueueError.protocolMismatch("reserve", reply) }
        switch kind {
        case "job":
            guard parts.count == 14, let id = parts[1].string, let attempt = parts[3].integer, let token = parts[4].string,
                  let crashes = parts[5].integer, let maxAttempts = parts[6].integer, let enqueuedAt = parts[7].integer,
                  let type = parts[8].string, let now = parts[9].integer, let fencing = parts[10].integer
            else { throw JobQueueError.protocolMismatch("reserve", reply) }
            let body: [UInt8]
            switch (parts[2], parts[11]) {
            case (.bulk(let message), _):
                body = message
            case (_, .bulk(let payload)):
                body = JobMessage.assemble(
                    id: id, type: type, maxAttempts: Int(maxAttempts), limiter: parts[12].string,
                    concurrencyKey: parts[13].string, payload: payload)
            default:
                throw JobQueueError.protocolMismatch("reserve", reply)
            }
            return .job(ReservedJob(
                id: id, type: type, body: body, attempt: Int(attempt), maxAttempts: Int(maxAttempts),
                crashes: Int(crashes), token: token, enqueuedAt: enqueuedAt, startedAt: now,
                fencingToken: fencing > 0 ? fencing : nil))
        case "empty":
            let next = parts.count > 1 ? parts[1].integer ?? -1 : -1
            return .empty(nextDelayedIn: next >= 0 ? .milliseconds(next) : nil)
        case "paused":
            return .paused
        case "throttled":
            return .throttled(retryIn: .milliseconds(parts.count > 1 ? parts[1].integer ?? 1 : 1))
        case "saturated":
            return .saturated
        case "busy":
            return nil
        default:
            throw JobQueueError.protocolMismatch("reserve", reply)
        }
    }

    // MARK: - Settling a reserved job

    /// Acknowledges a finished job: it is deleted. Idempotent; only the lease owner can ack.
    /// - Returns: `true` when acked now, `false` when the token no longer holds the lease (acked
    ///   before, or the lease expired and the job went back to the queue).
    @discardableResult
    public func ack(_ job: ReservedJob) throws -> Bool {
        try complete(on: connection, job, nextFor: nil).acked
    }

    /// What ``fail(_:error:permanently:)`` did.
    public enum FailOutcome: Sendable, Equatable {
        /// The job will run again at this time (ms since the epoch, Redis clock).
        case retryScheduled(at: Int64)
        /// The job was dead-lettered with this reason.
        case deadLettered(reason: String)
        /// The token no longer holds the lease; nothing was changed.
        case stale
    }

    /// Records a failed run: the job is retried after a backoff delay, or dead-lettered when it has
    /// used all its attempts or when `permanently` is true.
    /// - Parameters:
    ///   - error: text kept with the job (cut to its last 4 KiB).
    ///   - permanently: dead-letter now, without retries.
    ///   - reason: the dead-letter reason to record; `nil` describes the failure.
    public func fail(_ job: ReservedJob, error: String, permanently: Bool = false, reason: String? = nil) throws -> FailOutcome {
        let delay = configuration.retryBackoff.delay(forAttempt: max(0, job.attempt - 1))
        let arguments: [RedisArgument] = [
            RedisArgument(job.id), RedisArgument(job.token), RedisArgument(String(error.suffix(4096))),
            RedisArgument(Int(delay.milliseconds)), permanently ? "1" : "0", RedisArgument(reason ?? ""),
        ]
        let reply = try redis { try connection.run(QueueScripts.fail, keys: [keys.base], arguments: arguments) }
        guard let parts = reply.array, let status = parts.first?.string else { throw JobQueueError.protocolMismatch("fail", reply) }
        switch status {
        case "retry": return .retryScheduled(at: parts.count > 1 ? parts[1].integer ?? 0 : 0)
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
        let reply = try redis { try connection.run(QueueScripts.release, keys: [keys.base], arguments: arguments) }
        return reply.array?.first?.string == "released"
    }

    /// Extends the lease of a running job to `lease` from now (Redis clock).
    /// - Returns: `false` when the lease is lost (expired and reaped, or settled elsewhere).
    public func extendLease(_ job: ReservedJob, by lease: Duration? = nil, on connection: RedisConnection? = nil) throws -> Bool {
        let arguments: [RedisArgument] = [
            RedisArgument(job.id), RedisArgument(job.token), RedisArgument(Int((lease ?? configuration.lease).milliseconds)),
        ]
        let reply = try redis { try (connection ?? self.connection).run(QueueScripts.extend, keys: [keys.base], arguments: arguments) }
        return reply.array?.first?.string == "extended"
    }

    // MARK: - Helpers

    func redis<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as RedisError {
            throw JobQueueError(code: .redis, message: error.message, redisError: error)
        }
    }

    func registerOnce() throws {
        if registered.load(ordering: .relaxed) { return }
        try redis { _ = try connection.command(["SADD", RedisArgument(QueueKeys.registry), RedisArgument(name.rawValue)]) }
        registered.store(true, ordering: .relaxed)
    }

    static func validateID(_ id: String) throws -> String {
        guard !id.isEmpty, id.utf8.count <= 200, !id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }),
              !id.hasPrefix("@")
        else {
            throw JobQueueError(code: .invalidJob, message: "job id must be 1 to 200 characters, without control characters, not starting with '@'")
        }
        return id
    }

    /// A new job id: a random per-process prefix and a counter, unique across processes and hosts
    /// without a system call per id.
    static func validateLimitKey(_ key: String, _ name: String) throws {
        guard !key.isEmpty, key.utf8.count <= 200,
              !key.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control })
        else {
            throw JobQueueError(code: .invalidJob, message: "\(name) must be 1 to 200 characters without spaces")
        }
    }

    static func generateID() -> String {
        let serial = idCounter.add(1, ordering: .relaxed).newValue
        return idPrefix + String(serial, radix: 36)
    }

    private static let idPrefix: String = {
        let random = UInt64.random(in: 0 ..< (1 << 60))
        let text = String(random, radix: 36)
        return String(repeating: "0", count: max(0, 12 - text.count)) + text + "-"
    }()

    private static let idCounter = Atomic<UInt64>(0)
}
