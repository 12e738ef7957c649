import Dispatch
import Foundation
import HumanUnits
import Logging
import RedisClient
import Synchronization

/// Fires the recurring schedules of one or more queues, exactly once per tick across every host.
///
/// Any number of schedulers may run (each supervisor runs one for its queue, `jobq schedule run`
/// runs one where there is no supervisor); per queue, only the holder of the scheduler lease
/// (`jobq:{QUEUE}:scheduler`, taken and renewed inside the scripts) fires. Each pass reads the due
/// schedules with the Redis clock, plans their ticks by their catch-up policy (``TickPlan``) and
/// fires each in one script call that enqueues the ticks' jobs and moves the next fire time,
/// only if that time is still the one planned from. Between passes it sleeps until the next fire
/// time, at most ``Configuration/maxSleep``: idle, it costs one script call per queue that often.
public final class Scheduler: Sendable {
    /// How the scheduler holds its lease and paces itself. Every field has a default.
    public struct Configuration: Sendable {
        /// How long the scheduler lease outlives a scheduler that stops renewing it: the longest
        /// a tick waits when its scheduler dies. Default: 15 s.
        public var leaseTTL: Duration = .seconds(15)
        /// The longest sleep between two passes: it bounds how soon a schedule added (or resumed)
        /// by another process is seen, renews the lease in time (keep it well under ``leaseTTL``)
        /// and bounds how soon a standby scheduler notices a free lease. Default: 1 s (one script
        /// call a second per queue while idle).
        public var maxSleep: Duration = .seconds(1)
        /// How late a tick may still fire under ``CatchUpPolicy/none``. Default: 1 minute.
        public var lateness: Duration = .seconds(60)
        /// The name the lease is held under. Default: `host/pid`.
        public var holder = "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)"

        /// The defaults.
        public init() {}
    }

    /// What one pass did on one queue.
    public struct Pass: Sendable, Equatable {
        /// The queue.
        public var queue: QueueName
        /// Whether this scheduler held the queue's lease.
        public var leader: Bool
        /// Jobs enqueued.
        public var enqueued: Int
        /// Ticks skipped because the previous job still ran.
        public var skipped: Int
        /// Ticks dropped by catch-up policies.
        public var missed: Int
        /// How long until this queue needs the next pass.
        public var sleep: Duration
    }

    /// The most due schedules one pass fires per queue; more make the next pass come at once.
    static let dueLimit = 100

    /// The queues whose schedules this fires.
    public let queues: [Queue]
    /// Lease and pacing.
    public let configuration: Configuration
    private let logger: Logger
    private let wakeup = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)
    /// Per queue, the failure last logged, until a pass on that queue succeeds again.
    private let troubles = Mutex<[QueueName: String]>([:])
    /// Per queue, the due schedules this version cannot read, each logged once while it stays so.
    private let unreadable = Mutex<[QueueName: Set<String>]>([:])

    /// Creates a scheduler; nothing happens until ``run()`` or ``runPass()``.
    public init(queues: [Queue], configuration: Configuration = Configuration(), logger: Logger = Logger(label: "jobq.scheduler")) {
        self.queues = queues
        self.configuration = configuration
        self.logger = logger
    }

    /// Fires schedules until ``stop()``, then gives up the leases it holds so that another
    /// scheduler takes over at once. Blocks the calling thread: call it from a thread of your own.
    /// Redis failures are logged (once until they end) and retried after ``Configuration/maxSleep``.
    public func run() {
        defer { releaseLeases() }
        while !stopped.load(ordering: .acquiring) {
            var sleep = configuration.maxSleep
            for queue in queues {
                do {
                    let pass = try runPass(on: queue)
                    sleep = min(sleep, pass.sleep)
                    recovered(queue.name)
                } catch {
                    trouble(queue.name, "cannot fire the schedules of queue \(queue.name): \(error)")
                }
            }
            _ = wakeup.wait(timeout: .now() + .nanoseconds(Int(max(sleep, .milliseconds(1)).nanosecondsClamped)))
        }
    }

    /// Makes ``run()`` return soon; safe from any thread.
    public func stop() {
        stopped.store(true, ordering: .releasing)
        wakeup.signal()
    }

    /// Gives up the scheduler lease of every queue whose lease this scheduler holds; best effort
    /// (an unreachable Redis lets the lease expire by itself).
    public func releaseLeases() {
        for queue in queues {
            _ = try? queue.connection.run(QueueScripts.scheduleRelease, keys: queue.keys.scriptKeys, arguments: [RedisArgument(configuration.holder)])
        }
    }

    /// One pass over every queue.
    /// - Throws: ``JobQueueError`` for the first queue that cannot be read or fired.
    @discardableResult
    public func runPass() throws -> [Pass] {
        try queues.map { try runPass(on: $0) }
    }

    /// One pass over one queue: take or renew the lease; as its holder, fire every due schedule.
    func runPass(on queue: Queue) throws -> Pass {
        // Unreadable schedules never move, so they stay due: list that many more, so that they
        // never take the places of the others.
        let knownUnreadable = unreadable.withLock { $0[queue.name] ?? [] }
        let reply = try queue.redis {
            try queue.connection.run(QueueScripts.scheduleDue, keys: queue.keys.scriptKeys, arguments: [
                RedisArgument(configuration.holder), RedisArgument(Int(configuration.leaseTTL.milliseconds)),
                RedisArgument(Self.dueLimit + knownUnreadable.count),
            ])
        }
        guard let parts = reply.array, parts.count >= 3, let now = parts[0].integer, let leader = parts[1].integer,
              let third = parts[2].integer
        else { throw JobQueueError.protocolMismatch("schedule-due", reply) }
        var pass = Pass(queue: queue.name, leader: leader == 1, enqueued: 0, skipped: 0, missed: 0, sleep: configuration.maxSleep)
        guard pass.leader else {
            // Another scheduler holds the lease: look again when it would have expired (a lease
            // without a TTL, set by hand, never does: look again as usual rather than spin).
            if third >= 0 { pass.sleep = min(configuration.maxSleep, .milliseconds(third + 10)) }
            return pass
        }
        guard parts.count == 4, let entries = parts[3].array else { throw JobQueueError.protocolMismatch("schedule-due", reply) }
        var wake: Int64? = third >= 0 ? third : nil
        var unreadableNow = Set<String>()
        for entry in entries {
            guard let fields = entry.array?.map({ $0.string ?? "" }), fields.count == 7 else {
                throw JobQueueError.protocolMismatch("schedule-due", reply)
            }
            do {
                if let next = try fire(fields, on: queue, now: now, into: &pass) { wake = min(wake ?? next, next) }
            } catch let error as JobQueueError where error.code == .invalidSchedule {
                // A schedule this version cannot read (written by a newer one?) must not hold up the others.
                unreadableNow.insert(fields[0])
                if !knownUnreadable.contains(fields[0]) {
                    logger.warning("cannot fire schedule \(fields[0]) of queue \(queue.name): \(error.message); it is skipped until it is removed or jobq is upgraded")
                }
            }
            guard pass.leader else { break }
        }
        unreadable.withLock { $0[queue.name] = unreadableNow }
        if !pass.leader {
            pass.sleep = configuration.maxSleep
        } else if entries.count - unreadableNow.count >= Self.dueLimit {
            pass.sleep = .zero
        } else if let wake {
            pass.sleep = min(configuration.maxSleep, .milliseconds(max(0, wake - now)))
        }
        return pass
    }

    /// Plans and fires one due schedule. Returns its new next fire time.
    private func fire(_ fields: [String], on queue: Queue, now: Int64, into pass: inout Pass) throws -> Int64? {
        let name = fields[0]
        guard let due = Int64(fields[1]), let anchor = Int64(fields[5]) else {
            throw JobQueueError(code: .invalidSchedule, message: "schedule '\(name)' of queue \(queue.name) has no valid next fire time or creation time")
        }
        let rule = try ScheduleRule(kind: fields[2], value: fields[3], zone: fields[4])
        let plan = TickPlan(
            rule: rule, anchor: anchor, due: due, now: now, policy: CatchUpPolicy(rawValue: fields[6]) ?? .one,
            lateness: configuration.lateness.milliseconds)
        let arguments: [RedisArgument] = [
            RedisArgument(configuration.holder), RedisArgument(Int(configuration.leaseTTL.milliseconds)), RedisArgument(name),
            RedisArgument(fields[1]), RedisArgument(plan.next.map { String($0) } ?? ""), RedisArgument(plan.missed),
        ] + plan.ticks.map { RedisArgument(String($0)) }
        let reply = try queue.redis { try queue.connection.run(QueueScripts.scheduleFire, keys: queue.keys.scriptKeys, arguments: arguments) }
        guard let parts = reply.array, let status = parts.first?.string else { throw JobQueueError.protocolMismatch("schedule-fire", reply) }
        switch status {
        case "fired":
            let enqueued = Int(parts[1].integer ?? 0)
            let skipped = Int(parts[2].integer ?? 0)
            pass.enqueued += enqueued
            pass.skipped += skipped
            pass.missed += plan.missed
            var line = "schedule \(name) of queue \(queue.name): "
            line += enqueued == 1 ? "enqueued 1 job" : "enqueued \(enqueued) jobs"
            if skipped > 0 { line += ", skipped \(skipped) tick\(skipped == 1 ? "" : "s") (its previous job is still waiting or running)" }
            if plan.missed > 0 { line += ", \(plan.missed) missed tick\(plan.missed == 1 ? "" : "s") dropped (catch-up \(fields[6]))" }
            logger.info("\(line)")
            return plan.next
        case "not-leader":
            pass.leader = false
            return nil
        case "unreadable":
            throw JobQueueError(code: .invalidSchedule, message: "schedule '\(name)' of queue \(queue.name) has no payload or max attempts stored")
        default:
            // Paused, removed, or fired by another pass meanwhile: nothing to do.
            return nil
        }
    }

    private func trouble(_ queue: QueueName, _ message: String) {
        let isNew = troubles.withLock { troubles in
            defer { troubles[queue] = message }
            return troubles[queue] != message
        }
        if isNew { logger.warning("\(message); retrying") }
    }

    private func recovered(_ queue: QueueName) {
        let hadTrouble = troubles.withLock { $0.removeValue(forKey: queue) != nil }
        if hadTrouble { logger.info("the schedules of queue \(queue) can be fired again") }
    }
}
