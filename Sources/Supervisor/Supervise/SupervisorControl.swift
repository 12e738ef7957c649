import Dispatch
import JobQueue
import Synchronization

/// What other threads tell the supervisor's loop (stop, lock lost, worker exited), and how the
/// loop sleeps until then.
final class SupervisorControl: Sendable {
    private let wakeup = DispatchSemaphore(value: 0)
    private let stopReason = Mutex<String?>(nil)
    private let lockLost = Atomic<Bool>(false)
    private let currentState = Mutex<SupervisorState?>(nil)

    /// Why a stop was asked for, once it was.
    var requestedStop: String? { stopReason.withLock { $0 } }

    /// Asks the loop to stop; the first reason wins.
    func requestStop(reason: String) {
        stopReason.withLock { $0 = $0 ?? reason }
        wake()
    }

    /// Whether the supervisor lock was lost since ``lockTaken()``.
    var isLockLost: Bool { lockLost.load(ordering: .acquiring) }

    /// Called by the lock's renewal thread when the lease is gone.
    func lockWasLost() {
        lockLost.store(true, ordering: .releasing)
        wake()
    }

    /// Called when the lock is taken again.
    func lockTaken() {
        lockLost.store(false, ordering: .releasing)
    }

    /// The state the loop is in now.
    var state: SupervisorState? {
        get { currentState.withLock { $0 } }
        set { currentState.withLock { $0 = newValue } }
    }

    /// Wakes the loop if it sleeps (or makes its next sleep return at once).
    func wake() {
        wakeup.signal()
    }

    /// Sleeps for `duration` (monotonic clock) or until ``wake()``, whichever comes first.
    /// - Returns: whether it was woken.
    @discardableResult
    func sleep(for duration: Duration) -> Bool {
        var woken = false
        if duration > .zero {
            woken = wakeup.wait(timeout: .now() + .nanoseconds(Int(duration.nanosecondsClamped))) == .success
        }
        while wakeup.wait(timeout: .now()) == .success { woken = true }
        return woken
    }
}
