import Foundation
import Glibc
import HumanUnits
import Logging
import Processes

extension SupervisorLoop {
    /// What a launch attempt did.
    enum LaunchOutcome {
        case started(RunningWorker)
        /// The worker could not be started, or ran out of memory while starting; counted as a crash.
        case failed(Verdict)
        /// A stop or a lost lock came while the worker was starting: whatever was started is
        /// killed, nothing is counted, and the loop acts on the stop or the lost lock.
        case interrupted
    }

    /// How waiting for a launch ended.
    enum LaunchWait {
        /// The launch returned by itself: the worker runs, or could not be started.
        case finished(Result<RunningWorker, ProcessError>)
        /// A stop or a lost lock came first, or the starting worker stalled at its memory cap: its
        /// cgroup's processes were killed. The launch's outcome when it returned within the stop
        /// timeout; `nil` when it did not (the launcher cleans up after it).
        case interrupted(Result<RunningWorker, ProcessError>?, outOfMemory: Bool)
    }

    /// The signal a worker gets when its supervisor dies without stopping it (killed by
    /// `SIGKILL`, crashed): `SIGKILL`, as nobody is left to escalate a `SIGTERM` that the worker
    /// ignores, and as a process stalled at its memory cap with the OOM killer held back wakes
    /// for a fatal signal only. Its job comes back when its lease expires.
    static let workerParentDeathSignal = SIGKILL

    /// How long a launch interrupted by a stop may take to return by itself before its cgroup's
    /// processes are killed: a launch that is not stuck takes milliseconds.
    static let launchGrace: Duration = .milliseconds(200)

    /// Environment variables of the supervisor that belong to it alone, not to its workers.
    static let supervisorOnlyVariables = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"]

    /// Creates a fresh capped cgroup and starts the worker inside it, on the launcher's thread;
    /// this thread watches the launch meanwhile, so that a stop is obeyed within the stop timeout
    /// even when the launch blocks. Once the worker runs, the kernel's OOM killer is held back in
    /// its cgroup on cgroup v1 (never before: until then nothing would act on an OOM stall).
    func launch() -> LaunchOutcome {
        if launcher.isBusy {
            logger.error("an earlier launch has still not returned: not launching another until it does")
            return .failed(.relaunchAfter(ContinuousClock.now + configuration.tickInterval))
        }
        launches += 1
        let id = "\(configuration.host)-\(pid)-\(launches)-\(String(UInt16.random(in: .min ... .max), radix: 16))"
        let cgroup: WorkerCgroup?
        do {
            cgroup = try sandbox.makeWorkerCgroup(named: "worker-\(id)")
        } catch {
            return launchFailed("cannot start the worker: \(error)")
        }
        logOnce(cgroup?.warnings ?? [])
        let pending = PendingLaunch()
        let options = launchOptions(workerID: id, cgroup: cgroup)
        launcher.submit { [control, logger] in
            let result: Result<RunningWorker, ProcessError>
            do throws(ProcessError) {
                result = .success(try RunningWorker(id: id, options: options, cgroup: cgroup, control: control))
            } catch {
                result = .failure(error)
            }
            if !pending.resolve(result) {
                Self.cleanUpAbandoned(result, cgroup: cgroup, logger: logger)
            }
            control.wake()
        }
        switch waitForLaunch(pending, cgroup: cgroup) {
        case .finished(.success(let worker)), .interrupted(.success(let worker), outOfMemory: false):
            if let cgroup { logOnce(sandbox.holdBackKernelOOMKiller(in: cgroup).map { [$0] } ?? []) }
            report(.running, "worker \(worker.child.pid) (\(id))", worker: worker, countsLaunch: true)
            return .started(worker)
        case .interrupted(.success(let worker), outOfMemory: true):
            return .failed(settle(worker, worker.child.wait(), stoppedOnPurpose: false, killedOutOfMemory: true))
        case .finished(.failure(let error)):
            if let cgroup { WorkerSandbox.tearDown(cgroup, logger: logger) }
            return launchFailed("cannot start the worker: \(error)")
        case .interrupted(let result, let outOfMemory):
            if result != nil, let cgroup { WorkerSandbox.tearDown(cgroup, logger: logger) }
            if result == nil {
                logger.error("worker \(id) did not start or give up within \(DurationText.format(configuration.stopTimeout)) of being killed; it is removed when its launch returns")
            }
            guard outOfMemory else { return .interrupted }
            return launchFailed("OOM: the worker ran out of memory before it could start")
        }
    }

    /// Waits for a launch, sending watchdog pings, and interrupts it on a stop, a lost lock, or an
    /// OOM stall of its cgroup (possible before the worker runs when a cgroup above it holds the
    /// kernel's OOM killer back).
    private func waitForLaunch(_ pending: PendingLaunch, cgroup: WorkerCgroup?) -> LaunchWait {
        while true {
            if let result = pending.result { return .finished(result) }
            watchdog.pingIfDue()
            let outOfMemory = cgroup?.oomStatus().waitingForMemory == true
            if outOfMemory {
                logger.error("the worker starting in cgroup \(cgroup?.name ?? "") stalled at its memory cap before it could run: killing it")
                return .interrupted(interrupt(pending, cgroup: cgroup, grace: .zero), outOfMemory: true)
            }
            if control.requestedStop != nil || control.isLockLost {
                let grace = min(Self.launchGrace, configuration.stopTimeout / 2)
                return .interrupted(interrupt(pending, cgroup: cgroup, grace: grace), outOfMemory: false)
            }
            control.sleep(for: watchdog.capped(configuration.tickInterval))
        }
    }

    /// Gives a launch `grace` to return by itself, then kills every process in its cgroup (the
    /// child, stalled before it could execute) until it returns or the stop timeout has passed,
    /// and once more when it gives up. Without a cgroup nothing can be killed before the launch
    /// returns; should the supervisor then exit, the child's parent-death signal kills it.
    /// - Returns: the launch's outcome, or `nil` when it did not return in time (abandoned).
    private func interrupt(_ pending: PendingLaunch, cgroup: WorkerCgroup?, grace: Duration) -> Result<RunningWorker, ProcessError>? {
        let start = ContinuousClock.now
        let deadline = start + configuration.stopTimeout
        while ContinuousClock.now < deadline {
            if let result = pending.result { return result }
            watchdog.pingIfDue()
            if ContinuousClock.now - start >= grace, let cgroup {
                for process in cgroup.processIDs() { kill(process, SIGKILL) }
            }
            control.sleep(for: min(.milliseconds(20), deadline - ContinuousClock.now))
        }
        if let cgroup {
            for process in cgroup.processIDs() { kill(process, SIGKILL) }
        }
        return pending.abandon()
    }

    /// Cleans up after a launch the loop gave up on, once it returned: kills the worker, removes
    /// its cgroup.
    private static func cleanUpAbandoned(_ result: Result<RunningWorker, ProcessError>, cgroup: WorkerCgroup?, logger: Logger) {
        if case .success(let worker) = result {
            worker.killEverything()
            _ = worker.child.wait(timeout: .seconds(5))
        }
        if let cgroup { WorkerSandbox.tearDown(cgroup, logger: logger) }
        logger.warning("the launch given up on returned; its processes were killed and its cgroup removed")
    }

    /// Logs and counts a launch that failed.
    private func launchFailed(_ cause: String) -> LaunchOutcome {
        logger.error("\(cause)")
        return .failed(countCrash(cause: cause, jobs: []))
    }

    /// Logs each cgroup warning once (they repeat for every launch).
    private func logOnce(_ warnings: [String]) {
        for warning in warnings where loggedWarnings.insert(warning).inserted {
            logger.warning("\(warning)")
        }
    }
}
