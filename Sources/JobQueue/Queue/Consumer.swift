import Foundation
import RedisClient
import Synchronization

/// Takes jobs from one queue and settles them (ack, fail, release, extend), all on a connection of
/// its own.
///
/// A consumer waits for work with BLMOVE (BRPOPLPUSH on Redis before 6.2): the waiting list's
/// next entry moves into the consumer's claim list, and the reserve script then leases it. Both
/// go out in one round trip, so the server runs the script the moment the wait ends. If the
/// process dies between the two steps, the entry stays in the claim list and the reaper hands it
/// back once the consumer's heartbeat is older than ``Queue/Configuration/consumerTTL``.
///
/// Not for use from several threads at once: one consumer is one thread's loop.
public final class Consumer: Sendable {
    /// This consumer's id: the lease owner recorded on its jobs.
    public let id: String
    /// The queue it takes from.
    public let queue: Queue
    /// Its own connection: the blocking fetch, and every script that reserves or settles a job.
    public let connection: RedisConnection
    private let hasBLMOVE: Bool
    /// True until the first reserve, which also takes whatever an earlier process with the same
    /// consumer id left in the claim list.
    private let firstReserve = Atomic<Bool>(true)
    /// When due delayed jobs were last promoted by this consumer (monotonic nanoseconds).
    private let lastPromotion = Atomic<Int64>(0)

    /// Opens a consumer with its own connection to the queue's server and registers it (a first
    /// heartbeat), so that the reaper knows it.
    /// - Parameter id: the consumer id; `nil` makes one from host, pid and a random part.
    public init(queue: Queue, id: String? = nil) throws {
        self.id = id ?? Self.defaultID()
        self.queue = queue
        let connection = try queue.redis { try RedisConnection(configuration: queue.connection.configuration) }
        self.connection = connection
        self.hasBLMOVE = try queue.redis { try Self.serverVersion(connection) }.map { $0.lexicographicallyPrecedes([6, 2]) == false } ?? false
        try heartbeat()
    }

    /// Reserves the next job, waiting up to `timeout` for one to arrive.
    ///
    /// Returns as soon as a job is leased; `.paused` at once when the queue is paused; `.empty` when
    /// the time is up. Delayed jobs that fall due during the wait are picked up on time.
    /// - Parameter previous: what the caller's last reserve (or the reserve half of
    ///   ``complete(_:result:progress:reserveNext:)``) returned. After `.empty` the consumer
    ///   starts with the wait, saving a round trip that would find the queue empty again.
    public func reserve(waitingUpTo timeout: Duration, after previous: ReserveOutcome? = nil) throws -> ReserveOutcome {
        let deadline = ContinuousClock.now + timeout
        var fetched = firstReserve.exchange(false, ordering: .relaxed)
        var wasEmpty = false
        // Set when the queue was empty: the next reserve waits in Redis first.
        var waitFirst: Duration?
        if case .empty(let nextDelayed) = previous, timeout > .zero { waitFirst = Self.wait(timeout, nextDelayed: nextDelayed) }
        while true {
            let reply: ReserveOutcome?
            if let wait = waitFirst {
                waitFirst = nil
                reply = try waitThenReserve(wait)
            } else {
                reply = try reserveOnce(fetched: fetched, promote: promotionDue() || wasEmpty)
            }
            guard let outcome = reply else { continue }
            fetched = false
            let remaining = deadline - ContinuousClock.now
            switch outcome {
            case .job, .paused:
                return outcome
            case .throttled(let retryIn):
                // Sleep exactly until the next token (no busy loop), then try again.
                if remaining <= .zero { return outcome }
                Thread.sleep(forTimeInterval: min(retryIn, remaining).seconds)
            case .saturated:
                if remaining <= .zero { return outcome }
                Thread.sleep(forTimeInterval: min(Self.saturatedRecheck, remaining).seconds)
            case .empty(let nextDelayed):
                wasEmpty = true
                if remaining <= .zero { return outcome }
                waitFirst = Self.wait(remaining, nextDelayed: nextDelayed)
            }
        }
    }

    /// How long to wait for an entry: `remaining`, or less when a delayed job falls due sooner.
    private static func wait(_ remaining: Duration, nextDelayed: Duration?) -> Duration {
        guard let nextDelayed, nextDelayed < remaining else { return remaining }
        return max(nextDelayed, .milliseconds(10))
    }

    /// One run of the reserve script; `nil` means "busy: call again".
    private func reserveOnce(fetched: Bool, promote: Bool) throws -> ReserveOutcome? {
        let arguments = ReserveCall.arguments(consumer: id, fetched: fetched, promote: promote, configuration: queue.configuration)
        let reply = try queue.redis { try connection.run(QueueScripts.reserve, keys: queue.keys.scriptKeys, arguments: arguments) }
        return try ReserveCall.outcome(reply)
    }

    /// Whether this reserve should first promote due delayed jobs: at most every 100 ms while the
    /// queue is busy (saving a sorted-set read per job), so retries never wait long behind a backlog.
    func promotionDue() -> Bool {
        let now = Int64(DispatchTime.now().uptimeNanoseconds)
        let last = lastPromotion.load(ordering: .relaxed)
        guard now - last >= Self.promotionInterval else { return false }
        lastPromotion.store(now, ordering: .relaxed)
        return true
    }

    /// 100 ms, in nanoseconds.
    static let promotionInterval: Int64 = 100_000_000

    /// Renews this consumer's registration (call at least every ``Queue/Configuration/consumerTTL`` / 2).
    /// The registry entry always names the host and pid; `info` adds fields.
    @discardableResult
    public func heartbeat(info: [(String, String)] = []) throws -> Int64 {
        let identity = [("host", ProcessInfo.processInfo.hostName), ("pid", String(getpid()))]
        return try queue.heartbeat(consumer: id, ttl: queue.configuration.consumerTTL, info: identity + info, on: connection)
    }

    /// Waits on the server until an entry can move into this consumer's claim list, or `wait` ends,
    /// and runs the reserve script right behind the wait in the same round trip (as if it had
    /// fetched an entry, and promoting due delayed jobs first). `nil` means "busy: call again".
    private func waitThenReserve(_ wait: Duration) throws -> ReserveOutcome? {
        let source = RedisArgument(queue.keys.wait), destination = RedisArgument(queue.keys.claim(id))
        let block: [RedisArgument]
        let timeout: Duration
        if hasBLMOVE {
            // Seconds with three decimals, at least 0.010, without Foundation's formatter (a sixth
            // of the client's work per wait).
            let milliseconds = max(10, wait.milliseconds)
            let seconds = "\(milliseconds / 1000)." + String(milliseconds % 1000 + 1000).dropFirst()
            block = ["BLMOVE", source, destination, "RIGHT", "LEFT", RedisArgument(seconds)]
            timeout = wait
        } else {
            let seconds = max(1, Int((Double(wait.milliseconds) / 1000).rounded(.up)))
            block = ["BRPOPLPUSH", source, destination, RedisArgument(seconds)]
            timeout = .seconds(seconds)
        }
        let arguments = ReserveCall.arguments(consumer: id, fetched: true, promote: true, configuration: queue.configuration)
        let replies = try queue.redis {
            try connection.blockingCommand(block, timeout: timeout, then: QueueScripts.reserve, keys: queue.keys.scriptKeys, arguments: arguments)
        }
        let outcome = try ReserveCall.outcome(try queue.redis { try replies.script.throwingServerError() })
        // A refused wait (no permission for BLMOVE, a wrong type) must not turn into a busy loop of
        // empty reserves; a job the script leased anyway is kept.
        if case .error = replies.command {
            if case .job = outcome { return outcome }
            _ = try queue.redis { try replies.command.throwingServerError() }
        }
        return outcome
    }

    /// How often a consumer of a queue whose concurrency slots are all held checks again.
    static let saturatedRecheck: Duration = .milliseconds(250)

    static func defaultID() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        let random = String(UInt32.random(in: .min ... .max), radix: 16)
        return "\(host)-\(getpid())-\(random)"
    }

    /// The server's version from `HELLO 2` (Redis 6 and later; no ACL category beyond `@connection`),
    /// or `nil` on older servers, which do not know HELLO.
    static func serverVersion(_ connection: RedisConnection) throws -> [Int]? {
        let reply: RedisReply
        do {
            reply = try connection.command(["HELLO", "2"])
        } catch let error as RedisError where error.code == .serverError {
            return nil
        }
        guard let fields = reply.array, let index = fields.firstIndex(where: { $0.string == "version" }), index + 1 < fields.count,
              let version = fields[index + 1].string
        else { return nil }
        return version.split(separator: ".").compactMap { Int($0) }
    }
}
