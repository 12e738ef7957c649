import Foundation
import RedisClient
import Synchronization

/// A named lock of a queue, held by one process on any host at a time: a Redis hash with a random
/// owner token and a TTL, taken only when free, renewed and released only by its owner (compared
/// in a script), with a fencing token that grows with every acquisition.
///
/// Used for the supervisor's singleton lock; jobs' concurrency locks use the same scripts inside
/// the reserve step.
public final class DistributedLock: Sendable {
    /// One acquisition of the lock.
    public struct Lease: Sendable, Equatable {
        /// The lock's name.
        public let name: String
        /// The random owner token of this acquisition.
        public let owner: String
        /// The fencing token: larger than that of every earlier acquisition of this lock.
        public let fencingToken: Int64
    }

    /// The queue whose lock this is.
    public let queue: Queue
    /// The lock's name within the queue.
    public let name: String
    /// How long the lock lives without a renewal.
    public let ttl: Duration
    /// What `jobq locks` shows as the holder.
    public let holder: String

    /// Describes a lock; does no I/O.
    /// - Parameters:
    ///   - ttl: how long the lock outlives a holder that stops renewing it (SIGKILL). Default: 15 s.
    ///   - holder: shown by `jobq locks`; default `host/pid`.
    public init(queue: Queue, name: String, ttl: Duration = .seconds(15), holder: String? = nil) {
        self.queue = queue
        self.name = name
        self.ttl = ttl
        self.holder = holder ?? "\(ProcessInfo.processInfo.hostName)/\(getpid())"
    }

    /// Takes the lock if it is free.
    /// - Returns: the lease, or `nil` when another owner holds it.
    public func tryAcquire() throws -> Lease? {
        let owner = "\(holder)/\(UInt64.random(in: .min ... .max))"
        let arguments: [RedisArgument] = [
            RedisArgument(name), RedisArgument(owner), RedisArgument(Int(ttl.milliseconds)), RedisArgument(holder), "",
        ]
        let reply = try queue.redis { try queue.connection.run(QueueScripts.lockAcquire, keys: queue.keys.scriptKeys, arguments: arguments) }
        guard let fencing = reply.integer else { return nil }
        return Lease(name: name, owner: owner, fencingToken: fencing)
    }

    /// Renews the lease's TTL.
    /// - Returns: `false` when the lease is lost (its TTL passed and the lock may be someone else's).
    public func renew(_ lease: Lease, on connection: RedisConnection? = nil) throws -> Bool {
        let arguments: [RedisArgument] = [RedisArgument(name), RedisArgument(lease.owner), RedisArgument(Int(ttl.milliseconds))]
        let reply = try queue.redis { try (connection ?? queue.connection).run(QueueScripts.lockRenew, keys: queue.keys.scriptKeys, arguments: arguments) }
        return reply.integer == 1
    }

    /// Releases the lease (a no-op when it was lost).
    /// - Returns: whether this call released it.
    @discardableResult
    public func release(_ lease: Lease) throws -> Bool {
        let arguments: [RedisArgument] = [RedisArgument(name), RedisArgument(lease.owner)]
        let reply = try queue.redis { try queue.connection.run(QueueScripts.lockRelease, keys: queue.keys.scriptKeys, arguments: arguments) }
        return reply.integer == 1
    }

    /// Keeps a lease renewed every third of the TTL on a thread and a connection of its own.
    ///
    /// `onLost` is called once, from that thread, when a renewal says the lease is gone, or when
    /// no renewal succeeded (Redis unreachable) for a whole TTL — after that the lock may be held
    /// by someone else, so the work it guards must stop.
    /// - Returns: a handle whose ``Renewal/stop()`` ends the renewals (before a release).
    public func keepRenewed(_ lease: Lease, onLost: @escaping @Sendable () -> Void) -> Renewal {
        let renewal = Renewal()
        let thread = Thread { [self] in
            var connection: RedisConnection?
            var lastSuccess = ContinuousClock.now
            while renewal.sleep(for: ttl / 3) {
                do {
                    if connection == nil { connection = try RedisConnection(configuration: queue.connection.configuration) }
                    if try renew(lease, on: connection) {
                        lastSuccess = .now
                        continue
                    }
                } catch {
                    connection = nil
                    if ContinuousClock.now - lastSuccess < ttl { continue }
                }
                onLost()
                return
            }
        }
        thread.name = "jobq-lock-\(name)"
        thread.start()
        return renewal
    }

    /// Stops the renewals started by ``DistributedLock/keepRenewed(_:onLost:)``.
    public final class Renewal: Sendable {
        private let condition = NSCondition()
        private let stopped = Atomic<Bool>(false)

        /// Ends the renewals; returns at once.
        public func stop() {
            stopped.store(true, ordering: .relaxed)
            condition.lock()
            condition.broadcast()
            condition.unlock()
        }

        /// Sleeps; `false` once stopped.
        func sleep(for duration: Duration) -> Bool {
            let until = Date().addingTimeInterval(duration.seconds)
            condition.lock()
            defer { condition.unlock() }
            while !stopped.load(ordering: .relaxed), Date() < until { _ = condition.wait(until: until) }
            return !stopped.load(ordering: .relaxed)
        }
    }
}
