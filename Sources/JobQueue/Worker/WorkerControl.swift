import Foundation
import Synchronization

/// The stop flag of a worker, with a sleep that a stop request cuts short.
final class WorkerControl: Sendable {
    private let condition = NSCondition()
    private let stopped = Mutex<ContinuousClock.Instant?>(nil)

    /// True once a stop was requested.
    var stopRequested: Bool { stopped.withLock { $0 != nil } }

    /// When the stop was requested.
    var stopRequestedAt: ContinuousClock.Instant? { stopped.withLock { $0 } }

    func requestStop() {
        stopped.withLock { if $0 == nil { $0 = .now } }
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }

    /// Sleeps for `duration`, or less if a stop is requested meanwhile.
    func sleep(for duration: Duration) {
        let until = Date().addingTimeInterval(duration.seconds)
        condition.lock()
        defer { condition.unlock() }
        while !stopRequested, Date() < until {
            _ = condition.wait(until: until)
        }
    }
}
