import Dispatch
import Foundation
import Glibc
import HumanUnits
import Logging
import Processes
import RedisClient
import Synchronization

/// Delivers alerts by running an alert command, off the caller's thread, so that a failing, slow
/// or hanging command never holds up whoever raised the alert (a supervisor's loop).
///
/// ``raise(_:)`` only queues the event and returns. One thread of the runner's own takes events in
/// order, de-duplicates them (the same kind for the same queue at most once per
/// ``Configuration/interval``, counted in Redis so that it holds across processes; see
/// `docs/alerts.md`), and runs the command for each one delivered, killing it after
/// ``Configuration/timeout``. At most ``Configuration/maxPending`` events wait; beyond, the oldest
/// is dropped, logged and counted in the next event delivered. Failures are logged, never thrown.
/// ``finish()`` lets pending alerts out before the process exits, for a bounded time.
public final class AlertRunner: Sendable {
    private struct State {
        var pending: [AlertEvent] = []
        var dropped = 0
        var finishing = false
        var running = false
        var child: ChildProcess?
    }

    /// The runner's settings.
    public let configuration: Configuration
    private let logger: Logger
    private let state = Mutex(State())
    private let available = DispatchSemaphore(value: 0)
    private let drained = DispatchSemaphore(value: 0)

    /// Starts the runner's thread.
    /// - Parameters:
    ///   - configuration: the command and its limits.
    ///   - redis: where the de-duplication is kept (the queues' Redis); `nil` keeps it in memory.
    ///     The runner opens a connection of its own, on first use.
    ///   - logger: where deliveries and failures are logged.
    public init(configuration: Configuration, redis: RedisConfiguration?, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        let thread = Thread { [self] in
            deliverUntilFinished(AlertDeduplication(interval: configuration.interval, redis: redis, logger: logger))
        }
        thread.name = "jobq-alerts"
        thread.start()
    }

    /// Queues an event for delivery and returns at once. Ignored after ``finish()``.
    public func raise(_ event: AlertEvent) {
        let dropped: AlertEvent? = state.withLock { state in
            guard !state.finishing else { return nil }
            state.pending.append(event)
            guard state.pending.count > max(1, configuration.maxPending) else { return nil }
            state.dropped += 1
            return state.pending.removeFirst()
        }
        if let dropped {
            logger.error("too many alerts pending (\(configuration.maxPending)): dropped the oldest, \(dropped.logName)")
        }
        available.signal()
    }

    /// Stops taking events and waits until the pending ones are delivered or
    /// ``Configuration/finishTimeout`` has passed; then a command still running is killed and the
    /// alerts not delivered are logged. Call once, before the process exits.
    /// - Returns: whether every pending alert was handled (delivered, suppressed or failed).
    @discardableResult
    public func finish() -> Bool {
        state.withLock { $0.finishing = true }
        available.signal()
        if drained.wait(timeout: .now() + .nanoseconds(Int(configuration.finishTimeout.nanosecondsClamped))) == .success { return true }
        let (child, left) = state.withLock { state in
            let left = state.pending.count + (state.running ? 1 : 0)
            state.pending.removeAll()
            return (state.child, left)
        }
        child?.signalGroup(SIGKILL)
        logger.error("\(HumanText.count(left, "alert")) not delivered within \(DurationText.format(configuration.finishTimeout)) before exiting")
        return false
    }

    private func deliverUntilFinished(_ deduplication: AlertDeduplication) {
        defer { deduplication.close() }
        let command = AlertCommand(configuration: configuration, logger: logger) { [self] child in
            state.withLock { $0.child = child }
        }
        while true {
            available.wait()
            while let event = next() {
                deliver(event, command: command, deduplication: deduplication)
                state.withLock { $0.running = false }
            }
            if state.withLock({ $0.finishing && $0.pending.isEmpty }) {
                drained.signal()
                return
            }
        }
    }

    /// The oldest pending event, marked as running; `nil` when none is pending.
    private func next() -> AlertEvent? {
        state.withLock { state in
            guard !state.pending.isEmpty else { return nil }
            state.running = true
            return state.pending.removeFirst()
        }
    }

    private func deliver(_ event: AlertEvent, command: AlertCommand, deduplication: AlertDeduplication) {
        guard let suppressed = deduplication.admit(event) else {
            logger.info("\(event.logName) suppressed: one was delivered less than \(DurationText.format(configuration.interval)) ago")
            return
        }
        var event = event
        event.host = configuration.host
        event.source = configuration.source
        event.pid = getpid()
        event.suppressed = suppressed
        event.dropped = state.withLock { state in
            defer { state.dropped = 0 }
            return state.dropped
        }
        command.log(command.run(event), for: event)
    }
}
