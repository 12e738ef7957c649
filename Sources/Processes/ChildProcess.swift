import CJobqSystem
import Dispatch
import Glibc
import Synchronization

/// A started child process: wait for it, signal it and its process group, tear it down.
///
/// Waiting does not poll. A dedicated reaper thread blocks in `waitid(WEXITED | WNOWAIT)` until the
/// child has exited, then reaps it with `wait4` (for its CPU time) while holding the lock that
/// ``signal(_:)`` takes, so a signal can never reach a recycled pid. It then gives captured output
/// up to ``captureDrainTimeout`` to reach end of file and completes a `DispatchGroup` that every
/// form of waiting blocks on (with a monotonic timeout for ``wait(timeout:)``).
///
/// All members are safe to use from any thread. The blocking ones (``wait()``, ``wait(timeout:)``,
/// ``terminate(grace:)``) must not be called on Swift's cooperative thread pool; async code uses
/// ``waitForExit()``. Nothing else in the process may reap this child (`waitpid(-1, ...)`, or
/// `SIGCHLD` set to `SIG_IGN`, which makes the kernel reap it): that is a programming error and stops
/// the process.
/// Dropping the last reference does not kill the child; the reaper still collects it.
public final class ChildProcess: Sendable {
    /// How long waiting lingers after the exit for captured output still in the pipes. It only
    /// matters when a descendant outlived the child and still holds its stdout or stderr.
    public static let captureDrainTimeout: Duration = .seconds(1)

    /// The child's process id.
    public let pid: pid_t
    /// The child's own process group (equal to ``pid``), or `nil` when it stayed in this process's group.
    public let processGroup: pid_t?

    private let standardOutputCapture: OutputTail?
    private let standardErrorCapture: OutputTail?
    private let extraOutputCaptures: [OutputTail]
    private let reaped = Mutex<Bool>(false)
    private let outcome = Mutex<ProcessExit?>(nil)
    /// Left as soon as the child is reaped.
    private let exited = DispatchGroup()
    /// Left once the exit is recorded, after captured output drained.
    private let finished = DispatchGroup()

    init(pid: pid_t, processGroup: pid_t?, standardOutput: OutputTail?, standardError: OutputTail?, extraOutputs: [OutputTail] = []) {
        self.pid = pid
        self.processGroup = processGroup
        self.standardOutputCapture = standardOutput
        self.standardErrorCapture = standardError
        self.extraOutputCaptures = extraOutputs
    }

    /// The last bytes the child wrote to its descriptor `3 + index`, the pipe of
    /// ``LaunchOptions/extraOutputTails`` entry `index` (empty for an index it has not). Complete
    /// once a wait has returned; a live snapshot before that.
    public func extraOutputTail(_ index: Int) -> [UInt8] {
        extraOutputCaptures.indices.contains(index) ? extraOutputCaptures[index].snapshot : []
    }

    /// The last bytes the child wrote to stdout when it was launched with `.captureTail`
    /// (empty otherwise). Complete once a wait has returned; a live snapshot before that.
    public var standardOutputTail: [UInt8] { standardOutputCapture?.snapshot ?? [] }

    /// The last bytes the child wrote to stderr when it was launched with `.captureTail`
    /// (empty otherwise). Complete once a wait has returned; a live snapshot before that.
    public var standardErrorTail: [UInt8] { standardErrorCapture?.snapshot ?? [] }

    /// Blocks until the child has exited and been reaped.
    ///
    /// - Returns: how it ended, with its CPU and run time.
    public func wait() -> ProcessExit {
        finished.wait()
        return outcome.withLock { $0! }
    }

    /// Blocks until the child has exited or `timeout` has passed.
    ///
    /// - Parameter timeout: longest time to block (monotonic clock).
    /// - Returns: how it ended, or `nil` if it is still running.
    public func wait(timeout: Duration) -> ProcessExit? {
        guard finished.wait(timeout: .now() + timeout.dispatchInterval) == .success else { return nil }
        return outcome.withLock { $0! }
    }

    /// Suspends until the child has exited, without blocking a thread. Cancelling the task
    /// does not stop the child.
    ///
    /// - Returns: how it ended, with its CPU and run time.
    public func waitForExit() async -> ProcessExit {
        await withCheckedContinuation { continuation in
            finished.notify(queue: .global()) { [self] in
                continuation.resume(returning: outcome.withLock { $0! })
            }
        }
    }

    /// Sends `signal` to the child alone.
    ///
    /// - Parameter signal: a signal number such as `SIGTERM`.
    /// - Returns: `false` when the child has already been reaped (nothing is sent).
    @discardableResult
    public func signal(_ signal: Int32) -> Bool {
        reaped.withLock { reaped in
            !reaped && kill(pid, signal) == 0
        }
    }

    /// Sends `signal` to every process in the child's process group, which includes descendants
    /// that stayed in it even after the child itself has exited. Without a group of its own the
    /// child alone is signalled.
    ///
    /// - Parameter signal: a signal number such as `SIGTERM`.
    /// - Returns: `false` when no process of the group was left to signal.
    @discardableResult
    public func signalGroup(_ signal: Int32) -> Bool {
        guard let processGroup else { return self.signal(signal) }
        return kill(-processGroup, signal) == 0
    }

    /// Stops the child and its process group: `SIGTERM` to the group, up to `grace` for the child to
    /// exit, then `SIGKILL` to the group (which also ends descendants left behind by a child that
    /// did exit in time), then reaps the child. To also catch descendants that left the group,
    /// kill the child's cgroup afterwards.
    ///
    /// - Parameter grace: how long the child may take to exit after `SIGTERM`.
    /// - Returns: how the child ended: its own exit if it made it in time, else killed by `SIGKILL`.
    public func terminate(grace: Duration) -> ProcessExit {
        signalGroup(SIGTERM)
        _ = exited.wait(timeout: .now() + grace.dispatchInterval)
        signalGroup(SIGKILL)
        return wait()
    }

    /// Starts the reaper thread; `captureFinished` is the output reader's group, if any.
    func startReaper(startedAt start: ContinuousClock.Instant, captureFinished: DispatchGroup?) {
        exited.enter()
        finished.enter()
        startBackgroundThread(named: "jobq-reaper-\(pid)") { [self] in
            let waitResult = jobq_wait_exited(pid)
            guard waitResult == 0 else {
                fatalError("waiting for child \(pid) failed: \(describeErrno(waitResult)); it was reaped elsewhere")
            }
            var raw = jobq_exit()
            let reapResult = reaped.withLock { reaped in
                reaped = true
                return jobq_reap(pid, &raw)
            }
            guard reapResult == 0 else {
                fatalError("reaping child \(pid) failed: \(describeErrno(reapResult))")
            }
            let runTime = ContinuousClock.now - start
            exited.leave()
            _ = captureFinished?.wait(timeout: .now() + Self.captureDrainTimeout.dispatchInterval)
            let termination: ProcessExit.Termination = raw.exited != 0
                ? .exited(code: raw.code)
                : .signaled(signal: raw.signal, coreDumped: raw.core_dumped != 0)
            let cpuTime = Duration.microseconds(raw.user_usec + raw.system_usec)
            outcome.withLock { $0 = ProcessExit(termination: termination, cpuTime: cpuTime, runTime: runTime) }
            finished.leave()
        }
    }
}

extension Duration {
    /// This duration as a Dispatch interval, clamped to zero and to what Dispatch can hold.
    var dispatchInterval: DispatchTimeInterval {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return .nanoseconds(0) }
        guard seconds < Int64(Int.max / 1_000_000_000) - 1 else { return .never }
        return .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }
}
