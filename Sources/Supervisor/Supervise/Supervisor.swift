import Foundation
import JobQueue
import Logging
import Processes
import RedisClient

/// Runs the worker of one queue: one at a time on all hosts, only while there is work, inside a
/// capped cgroup, with crash-loop protection.
///
/// ``run()`` takes the queue's supervisor lock (or stands by until it can), then ticks: while no
/// job is ready it sleeps, one cheap Redis call per ``Configuration/tickInterval``; when one is, it
/// asks ``Configuration/admission``, creates a fresh worker cgroup with
/// ``Configuration/limits``, and launches the worker command inside it with `JOBQ_WORKER_ID`
/// and `JOBQ_REDIS_URL` in its environment. The worker exits when idle; its cgroup is removed.
///
/// An exit that is not status 0, or an OOM kill, is a crash: the jobs the worker held are blamed
/// (requeued with a crash counted, or quarantined as poison), the next launch waits a backoff, and
/// ``Configuration/maxCrashes`` crashes within ``Configuration/crashWindow`` trip the breaker,
/// stored in Redis until `jobq breaker reset`. Crashes for which a job was quarantined as poison
/// do not count toward the breaker. Meanwhile it fires the queue's recurring schedules
/// (``Configuration/scheduler``, `docs/schedules.md`). See `docs/supervisor.md`.
public final class Supervisor: Sendable {
    /// The queue whose worker this supervises.
    public let queue: Queue
    /// The worker command: executable (path or name on `PATH`) and arguments.
    public let command: [String]
    /// Caps, crash-loop protection, intervals and reporting.
    public let configuration: Configuration
    let logger: Logger
    let control = SupervisorControl()

    /// Creates a supervisor; nothing happens until ``run()``.
    /// - Parameters:
    ///   - queue: the queue to supervise; its connection is used for everything but the lock renewals.
    ///   - command: the worker command, e.g. `["ingest-worker", "--queue", "docs", "--idle-exit", "60s"]`.
    ///   - configuration: how to cap, protect and report.
    ///   - logger: where state changes, crashes and warnings are logged.
    /// Checks that a worker command names an executable, as the launch will find it (on `PATH`
    /// for a bare name), so a typo is refused at start instead of counted as crashes.
    /// - Throws: ``ProcessError`` naming what is missing or not executable.
    public static func checkWorkerCommand(_ command: [String], environment: [String: String] = ProcessInfo.processInfo.environment) throws(ProcessError) {
        guard let program = command.first else { throw ProcessError(code: .invalidArgument, message: "no worker command given") }
        _ = try ExecutableLookup.resolveExisting(program, searchPath: environment["PATH"] ?? ExecutableLookup.defaultSearchPath)
    }

    public init(queue: Queue, command: [String], configuration: Configuration = Configuration(), logger: Logger = Logger(label: "jobq.supervisor")) {
        self.queue = queue
        self.command = command
        self.configuration = configuration
        self.logger = logger
    }

    /// Supervises until stopped or until the breaker trips. Blocks the calling thread: call it
    /// from a thread of your own (a process's main thread), never from Swift's cooperative pool.
    ///
    /// - Returns: why it ended; ``ExitReason/exitStatus`` is the status to exit with.
    /// - Throws: ``SupervisorError``: `noCgroup` when workers cannot be capped (exit status 4),
    ///   `evictionPolicy` when Redis may evict keys and that was not allowed (exit status 78),
    ///   `redis` when Redis cannot be read at start, `invalidConfiguration`.
    public func run() throws(SupervisorError) -> ExitReason {
        try validate()
        let runner = configuration.alerts.map { alerts in
            var alerts = alerts
            alerts.source = "supervise"
            alerts.host = configuration.host
            return AlertRunner(configuration: alerts, redis: queue.connection.configuration, logger: logger)
        }
        defer { runner?.finish() }
        var alerts = SupervisorAlerts(runner: runner, queue: queue.name, redisAddress: "\(queue.connection.configuration)", configuration: configuration)
        guard let status = try waitForRedis(&alerts) else { return .stopped(reason: control.requestedStop ?? "stop requested") }
        if status.breaker {
            let reason = status.breakerReason ?? "no reason recorded"
            control.state = .breaker
            logger.critical("\(Self.breakerRefusal(queue: queue.name, reason: reason, at: status.breakerAt))")
            return .breakerAlreadyTripped(reason: reason)
        }
        let sandbox = try WorkerSandbox.prepare(queue: queue.name, configuration: configuration, logger: logger)
        defer { sandbox.removeParent(logger: logger) }
        let schedules = startScheduler()
        defer { schedules?.stop() }
        return SupervisorLoop(supervisor: self, sandbox: sandbox, alerts: alerts).run()
    }

    /// Reads the supervisor state, waiting with capped backoff while Redis cannot be reached (a
    /// supervisor started before Redis waits for it, costing nothing meanwhile).
    /// A long wait raises a `redis_unreachable` alert.
    /// - Returns: the state, or `nil` when a stop was requested while waiting.
    private func waitForRedis(_ alerts: inout SupervisorAlerts) throws(SupervisorError) -> SupervisorStatus? {
        var backoff = Backoff(base: .milliseconds(500), cap: .seconds(30))
        while control.requestedStop == nil {
            do {
                let status = try queue.supervisorStatus()
                if backoff.attempt > 0 { logger.info("Redis is reachable") }
                alerts.redisAnswered()
                return status
            } catch let error as JobQueueError where error.redisError?.isRetryable == true {
                if backoff.attempt == 0 { logger.warning("Redis at \(queue.connection.configuration) is unreachable (\(error.message)); waiting for it") }
                alerts.redisFailed(error.message)
                _ = control.sleep(for: backoff.next())
            } catch let error as JobQueueError where error.redisError?.code == .evictionPolicy {
                throw SupervisorError(code: .evictionPolicy, message: error.message, cause: error)
            } catch {
                throw SupervisorError(
                    code: .redis,
                    message: "cannot read the supervisor state of queue \(queue.name) from Redis at \(queue.connection.configuration): \(error)",
                    cause: error
                )
            }
        }
        return nil
    }

    /// Asks ``run()`` to stop: the worker gets `SIGTERM`, then after ``Configuration/stopTimeout``
    /// its whole cgroup is killed; the lock is released; the state becomes `stopped`. Returns at
    /// once; safe from any thread or a signal handler's queue.
    /// - Parameter reason: recorded as the state's detail, e.g. `received SIGTERM`.
    public func stop(reason: String = "stop requested") {
        control.requestStop(reason: reason)
    }

    /// What the supervisor is doing now; `nil` before ``run()`` got going.
    public var state: SupervisorState? { control.state }

    /// What a supervisor says when it finds the breaker tripped: why, since when, how to reset.
    static func breakerRefusal(queue: QueueName, reason: String, at milliseconds: Int64?) -> String {
        let since = milliseconds.map { " at " + ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double($0) / 1000)) } ?? ""
        return "the crash-loop breaker of queue \(queue) tripped\(since): \(reason); no worker will be launched. "
            + "Fix the cause, then run: jobq breaker reset \(queue)"
    }

    private func validate() throws(SupervisorError) {
        var problems: [String] = []
        if command.first?.isEmpty ?? true { problems.append("no worker command given") }
        if configuration.maxCrashes < 1 { problems.append("max crashes must be at least 1") }
        let positive: [(String, Duration)] = [
            ("crash window", configuration.crashWindow), ("tick interval", configuration.tickInterval),
            ("lock TTL", configuration.lockTTL), ("standby retry", configuration.standbyRetry),
            ("admission recheck", configuration.admissionRecheck), ("backoff minimum", configuration.backoff.base),
        ]
        for (name, value) in positive where value <= .zero { problems.append("\(name) must be above 0") }
        if configuration.backoff.cap < configuration.backoff.base { problems.append("backoff maximum is below its minimum") }
        if configuration.stopTimeout < .zero { problems.append("stop timeout must not be negative") }
        if let alerts = configuration.alerts {
            if alerts.interval < .zero { problems.append("alert interval must not be negative") }
            if alerts.timeout <= .zero { problems.append("alert timeout must be above 0") }
            if alerts.maxPending < 1 { problems.append("alerts pending must be at least 1") }
            if configuration.verdictCheckInterval <= .zero { problems.append("verdict check interval must be above 0") }
        }
        guard problems.isEmpty else {
            throw SupervisorError(code: .invalidConfiguration, message: "invalid supervisor configuration: " + problems.joined(separator: "; "))
        }
    }
}
