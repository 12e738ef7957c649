import Foundation
import Processes

/// One launched worker: its process, its cgroup, its consumer id.
final class RunningWorker: Sendable {
    /// The consumer id it got through `JOBQ_WORKER_ID`.
    let id: String
    /// Its process.
    let child: ChildProcess
    /// Its capped cgroup; `nil` without cgroups.
    let cgroup: WorkerCgroup?
    /// Tells whether it ran out of memory during this run; `nil` without cgroups.
    let oomWatch: OutOfMemoryWatch?
    /// When it was launched.
    let startedAt: ContinuousClock.Instant

    /// Starts a worker, and a thread that wakes the supervisor's loop when it exits.
    ///
    /// - Throws: ``ProcessError`` when it cannot be started (the caller removes the cgroup).
    init(id: String, options: LaunchOptions, cgroup: WorkerCgroup?, control: SupervisorControl) throws(ProcessError) {
        self.id = id
        self.cgroup = cgroup
        oomWatch = cgroup.map(OutOfMemoryWatch.init(cgroup:))
        let child = try ChildProcess.launch(options)
        self.child = child
        self.startedAt = .now
        let thread = Thread {
            _ = child.wait()
            control.wake()
        }
        thread.name = "jobq-worker-exit-\(child.pid)"
        thread.start()
    }

    /// How long it has been running.
    var runTime: Duration { ContinuousClock.now - startedAt }

    /// Kills every process of the worker: its process group, then everything left in its cgroup.
    func killEverything() {
        child.signalGroup(SIGKILL)
        try? cgroup?.killAll(timeout: .seconds(5))
    }
}
