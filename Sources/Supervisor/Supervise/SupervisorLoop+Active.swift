import HumanUnits
import JobQueue
import RedisClient

extension SupervisorLoop {
    /// How supervising under the lock ended.
    enum ActiveOutcome {
        /// ``Supervisor/stop(reason:)`` was called.
        case stopped(String)
        /// The lock's renewal reported it lost.
        case lockLost
        /// This supervisor tripped the breaker.
        case breakerTripped(String)
        /// The breaker was found tripped (by another supervisor of the queue).
        case breakerFound(String)
        /// Redis may evict keys and that is not allowed: the worker is not (re)launched.
        case evictionRefused(String)
    }

    /// When the next launch may happen after a worker exit, or that the breaker tripped.
    enum Verdict {
        case relaunchAfter(ContinuousClock.Instant)
        case tripped(String)
        /// The worker refused to run on a Redis that may evict keys: do not relaunch.
        case refused(String)
    }

    /// The ticks of the lock holder: sleep while there is no work, launch and watch one worker when
    /// there is, obey stop requests, back off after crashes.
    func superviseWhileHoldingLock() -> ActiveOutcome {
        var worker: RunningWorker?
        var nextLaunch = ContinuousClock.now
        var deferral: [String] = []
        var nextAdmissionCheck = ContinuousClock.now
        while true {
            watchdog.pingIfDue()
            if let reason = control.requestedStop {
                if let running = worker { stop(running, because: reason) }
                return .stopped(reason)
            }
            if control.isLockLost {
                if let running = worker { stop(running, because: "the supervisor lock was lost") }
                return .lockLost
            }
            if let running = worker, let (exit, outOfMemory) = exitOrOutOfMemoryKill(of: running) {
                worker = nil
                switch settle(running, exit, stoppedOnPurpose: false, killedOutOfMemory: outOfMemory) {
                case .tripped(let reason): return .breakerTripped(reason)
                case .refused(let reason): return .evictionRefused(reason)
                case .relaunchAfter(let instant): nextLaunch = instant
                }
                continue
            }
            let tick: SupervisionTick
            do {
                try queue.connection.recheckEvictionPolicyIfDue()
                tick = try queue.supervisionTick()
                redisReachable()
            } catch {
                if let refusal = JobQueueError.evictionRefusal(behind: error)?.message {
                    if let running = worker { stop(running, because: "Redis may evict keys") }
                    return .evictionRefused(refusal)
                }
                redisUnreachable("cannot read the queue", error)
                pause(configuration.tickInterval)
                continue
            }
            judgeVerdictIfDue()
            if tick.breakerTripped {
                let status = try? queue.supervisorStatus()
                let reason = status?.breakerReason ?? "tripped by another supervisor of the queue"
                if let running = worker { stop(running, because: "the crash-loop breaker is tripped") }
                logger.critical("\(Supervisor.breakerRefusal(queue: queue.name, reason: reason, at: status?.breakerAt))")
                return .breakerFound(reason)
            }
            if let request = tick.stopRequest {
                if let running = worker {
                    worker = nil
                    stop(running, because: request.summary)
                }
                report(.stopped, request.summary)
                pause(configuration.tickInterval)
                continue
            }
            if let running = worker {
                if backoff.attempt > 0 && running.runTime >= configuration.healthyAfter {
                    backoff.reset()
                    logger.info("worker \(running.child.pid) ran \(DurationText.format(configuration.healthyAfter)) without crashing: backoff reset")
                }
                pause(configuration.tickInterval)
                continue
            }
            let now = ContinuousClock.now
            if now < nextLaunch {
                pause(min(configuration.tickInterval, nextLaunch - now))
                continue
            }
            reapIfDue()
            guard tick.hasWork else {
                report(.sleeping, tick.paused ? "queue paused" : "no waiting jobs")
                pause(configuration.tickInterval)
                continue
            }
            if ContinuousClock.now >= nextAdmissionCheck {
                deferral = configuration.admission()
                nextAdmissionCheck = ContinuousClock.now + configuration.admissionRecheck
            }
            guard deferral.isEmpty else {
                report(.deferred, "host busy: " + deferral.joined(separator: "; "))
                pause(configuration.tickInterval)
                continue
            }
            nextAdmissionCheck = ContinuousClock.now
            switch launch() {
            case .started(let started):
                worker = started
            case .failed(.tripped(let reason)):
                return .breakerTripped(reason)
            case .failed(.refused(let reason)):
                return .evictionRefused(reason)
            case .failed(.relaunchAfter(let instant)):
                nextLaunch = instant
            case .interrupted:
                continue
            }
        }
    }

    /// Judges the queue's verdict for the alert command once per its interval (never without one).
    private func judgeVerdictIfDue() {
        guard alerts.verdictCheckIsDue() else { return }
        do {
            alerts.judged(QueueVerdict.judge(try queue.stats(configuration: configuration.verdictRules), configuration: configuration.verdictRules))
        } catch {
            redisUnreachable("cannot read the queue's statistics", error)
        }
    }

    /// Runs the queue's reaper (promote due jobs, recover expired leases) once per its interval;
    /// it is elected, so most calls return at once.
    private func reapIfDue() {
        let now = ContinuousClock.now
        guard now >= nextReap else { return }
        nextReap = now + queue.configuration.reapInterval
        do {
            if let result = try queue.reap(holder: holder), result.requeued + result.deadLettered + result.orphansReturned > 0 {
                logger.info("reaper: \(result.requeued) jobs with expired leases requeued, \(result.deadLettered) dead-lettered, \(result.orphansReturned) orphaned fetches returned")
            }
        } catch {
            redisUnreachable("cannot run the reaper", error)
        }
    }
}
