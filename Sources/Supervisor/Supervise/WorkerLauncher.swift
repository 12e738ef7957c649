import Dispatch
import Foundation
import Processes
import Synchronization

/// The thread that starts workers, so that a launch that blocks never blocks the supervisor's
/// loop, which must answer `SIGTERM` within the stop timeout whatever a launch is doing.
///
/// A launch forks a child that joins the worker cgroup and then executes the worker; until it
/// executes, the launching thread waits for it. A child that stalls before it executes (at a
/// memory cap with the kernel's OOM killer held back, in a frozen cgroup) would hold that thread
/// for as long as it stalls: here that is this thread, and the loop watches the launch, kills the
/// cgroup's processes on a stop, and gives up waiting after the stop timeout.
///
/// One long-lived thread for all launches, not one per launch: Linux sends a child its
/// parent-death signal (``Processes/LaunchOptions/parentDeathSignal``) when the *thread* that
/// forked it ends, so this thread lives as long as the supervisor's loop (until ``finish()``).
final class WorkerLauncher: Sendable {
    private struct Queue {
        var launches: [@Sendable () -> Void] = []
        var finished = false
    }

    private let queue = Mutex(Queue())
    private let available = DispatchSemaphore(value: 0)
    private let inFlight = Atomic<Int>(0)

    /// Starts the launcher's thread.
    init() {
        let thread = Thread { [self] in runLaunches() }
        thread.name = "jobq-worker-launcher"
        thread.start()
    }

    /// Whether a launch is queued or running, e.g. one the loop gave up waiting for that still
    /// blocks.
    var isBusy: Bool { inFlight.load(ordering: .acquiring) > 0 }

    /// Runs `launch` on the launcher's thread, after the launches before it.
    func submit(_ launch: @escaping @Sendable () -> Void) {
        inFlight.add(1, ordering: .acquiringAndReleasing)
        queue.withLock { $0.launches.append(launch) }
        available.signal()
    }

    /// Lets the thread end once the launch in progress (if any) returns; launches still queued are
    /// dropped. Call when no worker runs any more: their parent-death signal fires then.
    func finish() {
        queue.withLock { $0.finished = true }
        available.signal()
    }

    private func runLaunches() {
        while true {
            available.wait()
            let next: (@Sendable () -> Void)?? = queue.withLock { queue in
                if queue.finished { return .none }
                return queue.launches.isEmpty ? .some(nil) : .some(queue.launches.removeFirst())
            }
            guard let launch = next else { return }
            guard let launch else { continue }
            launch()
            inFlight.subtract(1, ordering: .acquiringAndReleasing)
        }
    }
}

/// One launch handed to the ``WorkerLauncher``: the worker or the error once it is known, and
/// whether the loop gave up waiting for it (then the launcher cleans up after it).
final class PendingLaunch: Sendable {
    private struct State {
        var result: Result<RunningWorker, ProcessError>?
        var abandoned = false
    }

    private let state = Mutex(State())

    /// The worker or the error; `nil` while the launch runs.
    var result: Result<RunningWorker, ProcessError>? { state.withLock { $0.result } }

    /// Records the outcome (the launcher's thread).
    /// - Returns: `false` when the loop gave up on this launch: the caller must then kill the
    ///   worker and remove its cgroup itself.
    func resolve(_ result: Result<RunningWorker, ProcessError>) -> Bool {
        state.withLock { state in
            state.result = result
            return !state.abandoned
        }
    }

    /// Gives up waiting (the loop's thread).
    /// - Returns: the outcome if it came in meanwhile (then it is the loop's to handle), else
    ///   `nil`, and the launcher cleans up when the launch returns.
    func abandon() -> Result<RunningWorker, ProcessError>? {
        state.withLock { state in
            if state.result == nil { state.abandoned = true }
            return state.result
        }
    }
}
