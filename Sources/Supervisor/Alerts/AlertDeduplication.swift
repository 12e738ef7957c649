import Foundation
import JobQueue
import Logging
import RedisClient

/// Decides which alerts are delivered: the same kind for the same queue at most once per interval.
///
/// The time of the last delivery is kept in Redis, in the queue's `jobq:{QUEUE}:alerts` hash and
/// decided by one script (``JobQueue/Queue/passAlertGate(kind:interval:)``), so that it holds
/// across processes: a supervisor restarted again and again (by systemd, in a crash loop of its
/// own) alerts once, not once per start, and `jobq resume` run twice alerts once. When Redis
/// cannot be reached, and for ``AlertKind/redisUnreachable`` (sent because Redis cannot be
/// reached), the decision falls back to this process's memory; what that suppresses is added to
/// the next alert delivered through Redis. Alerts about no queue are decided in memory too.
///
/// Used on the ``AlertRunner``'s thread only.
final class AlertDeduplication {
    /// What this process remembers of one queue's alerts of one kind.
    private struct Memory {
        var lastDelivered: ContinuousClock.Instant?
        var suppressed = 0
    }

    private let interval: Duration
    private let connection: RedisConnection?
    private let logger: Logger
    private var memory: [String: Memory] = [:]

    /// - Parameters:
    ///   - interval: the least time between two alerts of one kind for one queue.
    ///   - redis: where the queues live; `nil` decides in memory only.
    ///   - logger: where a fall back to memory is logged.
    init(interval: Duration, redis: RedisConfiguration?, logger: Logger) {
        self.interval = interval
        self.logger = logger
        connection = redis.map { configuration in
            var configuration = configuration
            // Alerts must get out whatever Redis's eviction policy: the gate's hash is no job.
            configuration.evictionCheck = .ignore
            return RedisConnection(openingLazily: configuration)
        }
    }

    /// Whether to deliver `event`, and how many of its kind were suppressed before it.
    /// - Returns: the count to report when it is to be delivered, `nil` when it is suppressed.
    func admit(_ event: AlertEvent) -> Int? {
        let key = "\(event.queue ?? "")\u{0}\(event.kind.rawValue)"
        let now = ContinuousClock.now
        var remembered = memory[key] ?? Memory()
        defer { memory[key] = remembered }
        if let connection, let queue = event.queue.flatMap({ try? QueueName($0) }), event.kind != .redisUnreachable {
            do {
                let decision = try Queue(name: queue, connection: connection).passAlertGate(kind: event.kind.rawValue, interval: interval)
                guard decision.deliver else { return nil }
                let suppressed = decision.suppressed + remembered.suppressed
                remembered = Memory(lastDelivered: now, suppressed: 0)
                return suppressed
            } catch {
                logger.warning("cannot de-duplicate the \(event.kind.rawValue) alert of queue \(queue) in Redis (\(error)); deciding by this process's memory")
            }
        }
        if let last = remembered.lastDelivered, now - last < interval {
            remembered.suppressed += 1
            return nil
        }
        let suppressed = remembered.suppressed
        remembered = Memory(lastDelivered: now, suppressed: 0)
        return suppressed
    }

    /// Closes the Redis connection.
    func close() {
        connection?.close()
    }
}
