import Foundation
import Glibc
import HumanUnits
import JobQueue
import Processes
import RedisClient

extension SupervisorLoop {
    /// The worker's command, environment, cgroup and rlimits. The Redis password travels in the
    /// environment (`JOBQ_REDIS_URL`), never in the arguments, which any user can read. The worker
    /// gets `SIGKILL` should the supervisor die without stopping it (``workerParentDeathSignal``).
    func launchOptions(workerID: String, cgroup: WorkerCgroup?) -> LaunchOptions {
        var environment = configuration.environment ?? ProcessInfo.processInfo.environment
        for name in Self.supervisorOnlyVariables { environment[name] = nil }
        environment["JOBQ_WORKER_ID"] = workerID
        environment["JOBQ_REDIS_URL"] = queue.connection.configuration.urlWithSecret
        // Allowing eviction for the supervisor allows it for the workers it launches.
        if queue.connection.configuration.evictionCheck != .refuse {
            environment[RedisConfiguration.EvictionCheck.environmentVariable] = "1"
        }
        return LaunchOptions(
            executable: command[0], arguments: Array(command.dropFirst()), environment: environment,
            cgroupProcsPaths: cgroup?.procsPaths ?? [], resourceLimits: sandbox.resourceLimits,
            parentDeathSignal: Self.workerParentDeathSignal
        )
    }

    /// Stops a worker: `SIGTERM` to its process group, up to the stop timeout for it to exit (it
    /// puts its job back), then `SIGKILL` to everything in its cgroup. Its jobs are put back
    /// without blame either way.
    func stop(_ worker: RunningWorker, because reason: String) {
        logger.info("stopping worker \(worker.child.pid) (\(reason)): SIGTERM, then SIGKILL after \(DurationText.format(configuration.stopTimeout))")
        worker.child.signalGroup(SIGTERM)
        let deadline = ContinuousClock.now + configuration.stopTimeout
        var exit: ProcessExit?
        var outOfMemory = false
        while exit == nil {
            watchdog.pingIfDue()
            // A worker stalled at its memory cap cannot act on SIGTERM: kill it now, not at the timeout.
            if let (ended, killed) = exitOrOutOfMemoryKill(of: worker) {
                (exit, outOfMemory) = (ended, killed)
                break
            }
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { break }
            exit = worker.child.wait(timeout: watchdog.capped(min(remaining, configuration.tickInterval)))
        }
        if exit == nil {
            logger.warning("worker \(worker.child.pid) did not exit within \(DurationText.format(configuration.stopTimeout)) of SIGTERM: killing all its processes")
            worker.killEverything()
        }
        _ = settle(worker, exit ?? worker.child.wait(), stoppedOnPurpose: true, killedOutOfMemory: outOfMemory)
    }

    /// Handles a worker's exit: reads its cgroup's statistics, removes the cgroup, records the exit
    /// and settles the jobs it held in Redis, and on a crash counts it and decides the backoff.
    ///
    /// The exit is an OOM when the supervisor killed the worker for running out of memory
    /// (`killedOutOfMemory`), or when its cgroup ran out of memory during this run; an OOM
    /// counted before the launch is never this run's. A worker that exits 0 without running out
    /// of memory exited cleanly.
    func settle(_ worker: RunningWorker, _ exit: ProcessExit, stoppedOnPurpose: Bool, killedOutOfMemory: Bool) -> Verdict {
        let stats = worker.cgroup?.stats()
        let oom = killedOutOfMemory || worker.oomWatch?.check() != nil
        if let cgroup = worker.cgroup {
            WorkerSandbox.tearDown(cgroup, logger: logger)
        } else {
            worker.child.signalGroup(SIGKILL)
        }
        // A worker that refused to run on a Redis that may evict keys did not crash: relaunching it
        // would only be refused again. Its exit status alone does not prove it (any program may
        // exit 78): Redis is asked now, and a Redis that does not evict makes it an ordinary failure.
        let refusal = !stoppedOnPurpose && !oom && exit.termination == .exited(code: Supervisor.ExitReason.evictionRefusedExitStatus)
            ? confirmedEvictionRefusal() : nil
        let refused = refusal != nil
        let crash = !stoppedOnPurpose && !refused && (!exit.isSuccess || oom)
        let cause = oom ? "OOM" : refused ? "refused: Redis may evict keys (\(exit.description))" : exit.description
        var exitStatus: Int32?
        var signal: String?
        switch exit.termination {
        case .exited(let code): exitStatus = code
        case .signaled(let number, _): signal = ProcessExit.signalName(number)
        }
        let record = WorkerExitRecord(
            workerID: worker.id, host: configuration.host, pid: worker.child.pid, exitStatus: exitStatus, signal: signal,
            oom: oom, crash: crash, cause: cause, runTimeMilliseconds: exit.runTime.milliseconds,
            cpuTimeMilliseconds: (stats?.cpuUsage ?? exit.cpuTime).milliseconds, peakMemoryBytes: stats?.memoryPeak
        )
        let stored = store(record)
        let held = stored.jobs.isEmpty ? "" : "; jobs in hand: " + stored.jobs.map { "\($0.id) \($0.outcome)" }.joined(separator: ", ")
        let line = "worker \(worker.child.pid) (\(worker.id)) exited after \(DurationText.format(exit.runTime)): \(cause)\(held)"
        if crash { logger.error("\(line)") } else { logger.info("\(line)") }
        if oom {
            alerts.raise(.workerOOMKilled(
                queue: queue.name, workerPID: worker.child.pid, workerID: worker.id,
                memoryMax: configuration.limits.memoryMax, memoryPeak: stats?.memoryPeak
            ))
        }
        if let refusal {
            return .refused("worker \(worker.child.pid) refused to run, and no worker is launched: \(refusal)")
        }
        if exit.runTime >= configuration.healthyAfter { backoff.reset() }
        guard crash else { return .relaunchAfter(ContinuousClock.now + configuration.tickInterval) }
        return countCrash(cause: cause, jobs: stored.jobs)
    }

    /// The refusal every jobq process says when Redis (every primary, on a Redis Cluster) may evict
    /// keys, checked now on the supervisor's own connection whatever its `--allow-eviction`; `nil`
    /// when Redis does not evict, or cannot say (unreachable, or the ACL denies both `INFO` and
    /// `CONFIG GET`).
    private func confirmedEvictionRefusal() -> String? {
        do {
            try queue.connection.checkEvictionPolicy(.refuse)
            return nil
        } catch {
            if let refusal = JobQueueError.evictionRefusal(behind: error) { return refusal.message }
            logger.warning("cannot check whether Redis evicts keys (\(error)); the worker's exit status 78 counts as a failure")
            return nil
        }
    }

    /// Stores an exit record, retrying briefly; when Redis stays unreachable the jobs come back
    /// through their expired leases instead.
    private func store(_ record: WorkerExitRecord) -> WorkerExitRecord {
        for attempt in 1...3 {
            do {
                let stored = try queue.recordWorkerExit(record)
                redisReachable()
                return stored
            } catch {
                redisUnreachable("cannot record the exit of worker \(record.pid)", error)
                if attempt < 3 { pause(.milliseconds(200 * Int64(attempt))) }
            }
        }
        logger.error("the exit of worker \(record.pid) was not recorded; the jobs it held return when their leases expire")
        return record
    }
}
