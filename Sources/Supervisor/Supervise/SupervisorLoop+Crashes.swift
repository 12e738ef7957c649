import HumanUnits
import JobQueue

extension SupervisorLoop {
    /// Counts a crash toward the breaker (unless a job it held was just quarantined as poison),
    /// trips the breaker when the window holds too many, else backs off.
    func countCrash(cause: String, jobs: [WorkerExitRecord.Job]) -> Verdict {
        let now = ContinuousClock.now
        let poisoned = jobs.filter { $0.outcome == "poison" }.map(\.id)
        if poisoned.isEmpty {
            crashes.record(at: now, jobs: jobs.map(\.id))
        } else {
            crashes.forgive(jobs: poisoned)
            for job in poisoned { alerts.raise(.jobPoisoned(queue: queue.name, job: job, cause: cause)) }
            logger.warning("job \(poisoned.joined(separator: ", ")) quarantined as poison: this crash and the earlier ones with it in hand are blamed on the job and do not count toward the breaker")
        }
        let recent = crashes.count(since: now - configuration.crashWindow)
        let window = DurationText.format(configuration.crashWindow)
        if recent >= configuration.maxCrashes {
            let reason = "\(recent) crashes within \(window) (last: \(cause))"
            tripBreaker(reason)
            return .tripped(reason)
        }
        let delay = max(configuration.backoff.base, backoff.next())
        report(
            .backoff, "crash \(recent) of \(configuration.maxCrashes) allowed within \(window): \(cause); next launch in \(DurationText.format(delay))",
            backoffRemaining: delay
        )
        return .relaunchAfter(now + delay)
    }

    /// Stores the tripped breaker in Redis (retrying briefly), logs it and tells systemd.
    private func tripBreaker(_ reason: String) {
        control.state = .breaker
        logger.critical("crash-loop breaker tripped for queue \(queue.name): \(reason); no worker will be launched until: jobq breaker reset \(queue.name)")
        notifier?.send("STATUS=breaker: \(reason)")
        alerts.raise(.breakerTripped(queue: queue.name, reason: reason))
        for attempt in 1...3 {
            do {
                try queue.tripBreaker(reason: reason, host: configuration.host, pid: pid)
                lastStored = nil
                return
            } catch {
                redisUnreachable("cannot store the tripped breaker", error)
                if attempt < 3 { pause(.milliseconds(200 * Int64(attempt))) }
            }
        }
        logger.critical("the tripped breaker could not be stored in Redis; exiting with status \(Supervisor.ExitReason.breakerExitStatus) all the same")
    }
}
