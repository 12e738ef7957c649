import Foundation
import Glibc
import HumanUnits
import JobQueue
import Logging
import RedisClient

/// The supervisor's loop and the state it keeps between ticks; lives on ``Supervisor/run()``'s thread.
final class SupervisorLoop {
    let queue: Queue
    let command: [String]
    let configuration: Supervisor.Configuration
    let logger: Logger
    let control: SupervisorControl
    let sandbox: WorkerSandbox
    let lock: DistributedLock
    let pid: Int32 = getpid()
    /// `host/pid`: how this supervisor names itself as the lock holder.
    let holder: String
    let notifier: SystemdNotifier?
    var watchdog: WatchdogPinger
    var crashes = CrashHistory()
    var backoff: Backoff
    var launches = 0
    var nextReap = ContinuousClock.now
    /// The last state line logged and sent to systemd, and the last one stored in Redis.
    var lastLogged: String?
    var lastStored: String?
    /// The holder of the lock last announced while standing by.
    var announcedHolder: String?
    /// The last Redis failure logged, so an outage is logged once, and its end too.
    var redisTrouble: String?
    /// Cgroup warnings already logged (they repeat for every launch).
    var loggedWarnings = Set<String>()
    /// The thread workers are started on, off this loop; it lives as long as the loop runs.
    let launcher = WorkerLauncher()
    /// What is told to the alert command (nothing without one).
    var alerts: SupervisorAlerts

    init(supervisor: Supervisor, sandbox: WorkerSandbox, alerts: SupervisorAlerts) {
        self.alerts = alerts
        queue = supervisor.queue
        command = supervisor.command
        configuration = supervisor.configuration
        logger = supervisor.logger
        control = supervisor.control
        self.sandbox = sandbox
        holder = "\(configuration.host)/\(pid)"
        lock = DistributedLock(queue: queue, name: "supervisor", ttl: configuration.lockTTL, holder: holder)
        notifier = SystemdNotifier(socket: configuration.notifySocket)
        watchdog = WatchdogPinger(notifier: notifier, interval: configuration.watchdogInterval)
        backoff = configuration.backoff
    }

    /// Stands by or supervises until stopped or until the breaker trips.
    func run() -> Supervisor.ExitReason {
        logger.info("\(startLine)")
        notifier?.send("READY=1")
        defer {
            notifier?.send("STOPPING=1")
            launcher.finish()
        }
        while true {
            if let reason = control.requestedStop { return .stopped(reason: reason) }
            guard let lease = takeLockOrStandBy() else {
                pause(configuration.standbyRetry)
                continue
            }
            control.lockTaken()
            let renewal = lock.keepRenewed(lease) { [control] in control.lockWasLost() }
            logger.info("took the supervisor lock of queue \(queue.name) (fencing token \(lease.fencingToken))")
            sandbox.removeLeftovers(logger: logger)
            let outcome = superviseWhileHoldingLock()
            renewal.stop()
            sandbox.removeParent(logger: logger)
            let result: Supervisor.ExitReason
            switch outcome {
            case .lockLost:
                logger.error("lost the supervisor lock of queue \(queue.name) (Redis unreachable, or the lock expired): worker stopped; standing by")
                announcedHolder = nil
                lastStored = nil
                continue
            case .stopped(let reason):
                report(.stopped, reason)
                result = .stopped(reason: reason)
            case .breakerTripped(let reason):
                result = .breakerTripped(reason: reason)
            case .breakerFound(let reason):
                result = .breakerAlreadyTripped(reason: reason)
            case .evictionRefused(let reason):
                logger.critical("\(reason)")
                report(.stopped, reason)
                result = .evictionRefused(reason: reason)
            }
            do {
                try lock.release(lease)
            } catch {
                logger.warning("cannot release the supervisor lock (it expires by itself within \(DurationText.format(configuration.lockTTL))): \(error)")
            }
            return result
        }
    }

    /// Takes the supervisor lock, or announces this supervisor as standby.
    private func takeLockOrStandBy() -> DistributedLock.Lease? {
        watchdog.pingIfDue()
        do {
            if let lease = try lock.tryAcquire() {
                redisReachable()
                announcedHolder = nil
                return lease
            }
            let current = (try? queue.locks().first { $0.name == lock.name }?.holder) ?? "another supervisor"
            if current != announcedHolder {
                announcedHolder = current
                logger.notice("standby: supervisor of \(queue.name) is held by \(current)")
                control.state = .standby
                notifier?.send("STATUS=standby: supervisor of \(queue.name) is held by \(current)")
            }
            try queue.reportStandby(holder: holder)
            redisReachable()
        } catch {
            redisUnreachable("cannot take the supervisor lock", error)
        }
        return nil
    }

    /// Sleeps for `duration`, sending watchdog pings meanwhile; returns early when woken.
    func pause(_ duration: Duration) {
        let deadline = ContinuousClock.now + duration
        while true {
            watchdog.pingIfDue()
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { return }
            if control.sleep(for: watchdog.capped(remaining)) { return }
        }
    }

    /// Logs the state and tells systemd when it changed; stores it in Redis when it changed or when
    /// it carries a launch or a backoff.
    func report(
        _ state: SupervisorState, _ detail: String, worker: RunningWorker? = nil,
        backoffRemaining: Duration? = nil, countsLaunch: Bool = false
    ) {
        control.state = state
        let line = "\(state.rawValue): \(detail)".replacingOccurrences(of: "\n", with: " ")
        if line != lastLogged {
            lastLogged = line
            logger.info("\(line)")
            notifier?.send("STATUS=\(line)")
        }
        guard line != lastStored || countsLaunch || backoffRemaining != nil else { return }
        do {
            try queue.reportSupervisor(SupervisorReport(
                state: state, detail: detail, host: configuration.host, pid: pid, workerPID: worker?.child.pid,
                workerID: worker?.id, backoffRemaining: backoffRemaining, countsLaunch: countsLaunch
            ))
            lastStored = line
            redisReachable()
        } catch {
            lastStored = nil
            redisUnreachable("cannot store the supervisor state", error)
        }
    }

    /// Logs a Redis failure once per distinct message; a long outage raises an alert.
    func redisUnreachable(_ what: String, _ error: any Error) {
        let message = "\(what): \(error)"
        alerts.redisFailed(message)
        if message != redisTrouble {
            redisTrouble = message
            logger.warning("\(message); retrying")
        }
    }

    /// Logs the end of a Redis outage.
    func redisReachable() {
        alerts.redisAnswered()
        if redisTrouble != nil {
            redisTrouble = nil
            logger.info("Redis is reachable again")
        }
    }

    private var startLine: String {
        let limits = configuration.limits
        var caps = [
            "cpu \(limits.cpuQuota.map(CPUShareText.format) ?? "uncapped")",
            "memory \(limits.memoryMax.map(ByteSizeText.format) ?? "uncapped")",
            "swap \(ByteSizeText.format(limits.swapMax))",
            "pids \(limits.pidsMax.map(String.init) ?? "uncapped")",
        ]
        if !configuration.useCgroups { caps = ["no cgroup: rlimits only"] }
        var admission: [String] = []
        if let maxLoad = configuration.maxLoad { admission.append("load per CPU ≤ \(maxLoad)") }
        if let memory = configuration.minAvailableMemory { admission.append("available memory ≥ \(ByteSizeText.format(memory))") }
        return "supervising queue \(queue.name) as \(holder): \(command.joined(separator: " ")); caps: \(caps.joined(separator: ", ")); "
            + "breaker: \(configuration.maxCrashes) crashes within \(DurationText.format(configuration.crashWindow)); "
            + "backoff \(DurationText.format(configuration.backoff.base))..\(DurationText.format(configuration.backoff.cap))"
            + (admission.isEmpty ? "" : "; launch only when \(admission.joined(separator: " and "))")
    }
}
