import Foundation
import RedisClient
import Synchronization

/// A reliable job queue stored in Redis: enqueue, inspect and manage jobs.
///
/// To run jobs, create a ``Consumer`` (reserve / ack / fail yourself, on a connection of its own)
/// or a ``Worker`` (a loop around a handler). Every state change is one Lua script, so it happens entirely or not at all, and
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
        /// How long a durable enqueue (``EnqueueOptions/durable``) waits for a replica to confirm
        /// it; must be shorter than the connection's command timeout. Default: 2 s.
        public var durableTimeout: Duration = .seconds(2)

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
        var arguments: [RedisArgument] = []
        arguments.reserveCapacity(Self.enqueueArgumentsPerJob)
        try appendEnqueueArguments(of: NewJob(payload: payload, options: options), to: &arguments)
        return try enqueue([(keys: keys.scriptKeys, arguments: arguments)], durable: options.durable)[0]
    }

    /// The most jobs one enqueue script call carries. A batch no larger is written whole or not at
    /// all: Redis refuses a call at `maxmemory` (`OOM`) before it writes anything.
    public static let enqueueCallSize = 500

    /// Adds many jobs in one round trip: each script call carries up to ``enqueueCallSize`` jobs,
    /// and the calls are pipelined.
    ///
    /// Each job is validated first; a batch with an invalid job is refused whole, before anything is
    /// sent. Each accepted job is added atomically on its own. A larger batch that fails (Redis out
    /// of memory mid-way) may leave the earlier calls' jobs enqueued: send batches of at most
    /// ``enqueueCallSize`` to know exactly which were.
    /// - Returns: one result per job, in order.
    public func enqueue(batch jobs: [NewJob]) throws -> [EnqueueResult] {
        guard !jobs.isEmpty else { return [] }
        let size = Self.enqueueCallSize
        var calls: [(keys: [String], arguments: [RedisArgument])] = []
        calls.reserveCapacity((jobs.count + size - 1) / size)
        for start in stride(from: 0, to: jobs.count, by: size) {
            let end = min(start + size, jobs.count)
            var arguments: [RedisArgument] = []
            arguments.reserveCapacity((end - start) * Self.enqueueArgumentsPerJob)
            for job in jobs[start..<end] { try appendEnqueueArguments(of: job, to: &arguments) }
            calls.append((keys: keys.scriptKeys, arguments: arguments))
        }
        return try enqueue(calls, durable: jobs.contains(where: \.options.durable))
    }

    /// Sends enqueue calls of validated jobs.
    private func enqueue(_ calls: [(keys: [String], arguments: [RedisArgument])], durable: Bool) throws -> [EnqueueResult] {
        if durable { return try enqueueDurably(calls) }
        let replies = try write(QueueScripts.enqueue, calls: calls)
        guard replies.count > 1 else { return try Self.enqueueResults(replies[0]) }
        return try replies.flatMap(Self.enqueueResults)
    }

    static func enqueueResults(_ reply: RedisReply) throws -> [EnqueueResult] {
        if case .error(let text) = reply {
            let error = RedisError.server(text)
            throw JobQueueError(code: .redis, message: error.message, redisError: error)
        }
        guard let results = reply.array else { throw JobQueueError.protocolMismatch("enqueue", reply) }
        return try results.map(Self.enqueueResult)
    }

    /// The arguments of one job in an enqueue call (see `Lua/enqueue.lua`).
    private static let enqueueArgumentsPerJob = 9

    /// Validates a job and appends its ``enqueueArgumentsPerJob`` arguments to an enqueue call's.
    private func appendEnqueueArguments(of job: NewJob, to arguments: inout [RedisArgument]) throws {
        let options = job.options
        // Without an id ('') the enqueue script generates one, `_<n>`.
        let id = try options.id.map(Self.validateID) ?? ""
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
        if let limiter = options.limiter { try Self.validateLimitKey(limiter, "limiter") }
        if let concurrencyKey = options.concurrencyKey { try Self.validateLimitKey(concurrencyKey, "concurrency key") }
        guard options.delay >= .zero else {
            throw JobQueueError(code: .invalidJob, message: "delay must not be negative")
        }
        let payload = try JobMessage.validatedPayload(job.payload)
        let size = JobMessage.assembledCount(
            id: id.isEmpty ? Self.longestGeneratedID : id, type: options.type, maxAttempts: maxAttempts, limiter: options.limiter,
            concurrencyKey: options.concurrencyKey, payloadCount: payload.count)
        guard size <= configuration.maxMessageBytes else {
            throw JobQueueError(code: .invalidJob, message: "job message is \(size) bytes, over the limit of \(configuration.maxMessageBytes)")
        }
        arguments.append(RedisArgument(id))
        arguments.append(RedisArgument(bytes: payload))
        arguments.append(RedisArgument(options.type))
        arguments.append(RedisArgument(maxAttempts))
        arguments.append(RedisArgument(Int(options.delay.milliseconds)))
        arguments.append(RedisArgument(options.uniqueKey ?? ""))
        arguments.append(RedisArgument(options.limiter ?? ""))
        arguments.append(RedisArgument(options.concurrencyKey ?? ""))
        arguments.append(RedisArgument(options.priority == .normal ? "" : options.priority.rawValue))
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

    // MARK: - Helpers

    func redis<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as RedisError {
            throw JobQueueError(code: .redis, message: error.message, redisError: error)
        }
    }

    // MARK: - Registration

    /// Runs script calls that write to the queue. Until this handle has registered the queue (in
    /// ``QueueKeys/registry``), the registration rides in the same round trip: pipelined on a
    /// standalone server, sent to the registry's node before the calls' node is read in a cluster,
    /// best effort (a registry node that is down fails the registration only; the next write
    /// tries again).
    /// - Returns: one reply per call; error replies as `.error`.
    func write(
        _ script: RedisScript, calls: [(keys: [String], arguments: [RedisArgument])], on connection: RedisConnection? = nil
    ) throws -> [RedisReply] {
        let registration = pendingRegistration
        let replies = try redis { try (connection ?? self.connection).runPipelined(script, calls: calls, alongside: registration) }
        noteRegistration(replies.commands)
        return replies.calls
    }

    /// Sends commands that write to the queue, with the registration as in ``write(_:calls:on:)``.
    /// - Returns: one reply per command; error replies as `.error`.
    func write(_ commands: [[RedisArgument]]) throws -> [RedisReply] {
        let registration = pendingRegistration
        let replies = try redis { try connection.pipeline(commands, alongside: registration) }
        noteRegistration(replies.bookkeeping)
        return replies.commands
    }

    /// `SADD jobq:queues <name>` until it succeeded once (it is idempotent: several processes may
    /// each send it once).
    private var pendingRegistration: [[RedisArgument]] {
        registered.load(ordering: .relaxed) ? [] : [["SADD", RedisArgument(QueueKeys.registry), RedisArgument(name.rawValue)]]
    }

    private func noteRegistration(_ replies: [RedisReply]) {
        guard !replies.isEmpty, !replies.contains(where: { if case .error = $0 { true } else { false } }) else { return }
        registered.store(true, ordering: .relaxed)
    }

    static func validateID(_ id: String) throws -> String {
        guard !id.isEmpty, id.utf8.count <= 200, !id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }),
              !id.hasPrefix("@")
        else {
            throw JobQueueError(code: .invalidJob, message: "job id must be 1 to 200 characters, without control characters, not starting with '@'")
        }
        guard QueueKeys.generatedIDDigits(id) == nil else {
            throw JobQueueError(code: .invalidJob, message: "job id '\(id)' has the form of the ids jobq generates ('_' and digits); choose another")
        }
        return id
    }

    /// Checks a limiter or concurrency key: 1 to 200 characters, no whitespace or control characters.
    static func validateLimitKey(_ key: String, _ name: String) throws {
        guard !key.isEmpty, key.utf8.count <= 200,
              !key.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control })
        else {
            throw JobQueueError(code: .invalidJob, message: "\(name) must be 1 to 200 characters without spaces")
        }
    }

    /// The longest id the enqueue script generates: `_` and a 64-bit counter.
    static let longestGeneratedID = "_" + String(UInt64.max)
}
