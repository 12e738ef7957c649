/// What happened, as an alert command gets it in its first argument and in the event's `kind`.
/// `docs/alerts.md` lists when each is raised and what its `details` hold.
public enum AlertKind: String, Sendable, Codable, CaseIterable {
    /// The crash-loop breaker of a queue's supervisor tripped: no worker is launched until reset.
    case breakerTripped = "breaker_tripped"
    /// `jobq breaker reset` cleared a tripped breaker.
    case breakerReset = "breaker_reset"
    /// A job was quarantined as poison (dead-lettered after crashing the worker too often).
    case jobPoisoned = "job_poisoned"
    /// A worker ran out of memory in its cgroup and was killed.
    case workerOOMKilled = "worker_oom_killed"
    /// The queue's verdict became CRASH LOOP.
    case verdictCrashLoop = "verdict_crash_loop"
    /// The queue's verdict became STUCK.
    case verdictStuck = "verdict_stuck"
    /// The queue's verdict became BACKLOG.
    case verdictBacklog = "verdict_backlog"
    /// The queue's verdict went back to OK from CRASH LOOP, STUCK or BACKLOG.
    case verdictOK = "verdict_ok"
    /// `jobq emergency-stop` stopped the queue.
    case emergencyStop = "emergency_stop"
    /// `jobq resume` cleared a pause or a stop request.
    case resumed = "resumed"
    /// The supervisor could not reach Redis for longer than its threshold.
    case redisUnreachable = "redis_unreachable"
    /// Redis answers again after an outage that was alerted.
    case redisReachable = "redis_reachable"

    /// How urgent an alert is, for a script that routes or colours by it.
    public enum Severity: String, Sendable, Codable {
        /// Nothing runs, or work is failing: a person should act now.
        case critical
        /// Something degraded or was done by hand: worth a look.
        case warning
        /// A recovery or an all-clear.
        case info
    }

    /// The severity of this kind.
    public var severity: Severity {
        switch self {
        case .breakerTripped, .verdictCrashLoop, .verdictStuck, .redisUnreachable: .critical
        case .jobPoisoned, .workerOOMKilled, .verdictBacklog, .emergencyStop: .warning
        case .breakerReset, .verdictOK, .resumed, .redisReachable: .info
        }
    }
}
