import Foundation
import JobQueue
import RedisClient

extension Supervisor {
    /// How the supervisor caps, launches, protects and reports its workers. Every field has a
    /// default suited to a small one-CPU host.
    public struct Configuration: Sendable {
        /// The caps of each worker's cgroup. Default: 25 % of one CPU, 256 MiB of memory, no swap,
        /// 64 processes.
        public var limits = CgroupLimits(cpuQuota: 0.25, memoryMax: 256 << 20, swapMax: 0, pidsMax: 64)
        /// Run each worker in a capped cgroup of its own (`true`); `false` (`--no-cgroup`) runs it with
        /// rlimits only: `RLIMIT_AS` from the memory cap, `RLIMIT_NPROC` from the process cap, no CPU
        /// cap, no OOM detection. Default: `true`.
        public var useCgroups = true
        /// Where the cgroup filesystems are mounted. Default: `/sys/fs/cgroup`.
        public var cgroupRoot = "/sys/fs/cgroup"
        /// Crashes within ``crashWindow`` that trip the breaker. Default: 5.
        public var maxCrashes = 5
        /// The window in which crashes are counted for the breaker. Default: 10 minutes.
        public var crashWindow: Duration = .seconds(600)
        /// The wait before relaunching after a crash: exponential with jitter, from `base` to `cap`.
        /// Default: 1 s to 5 minutes.
        public var backoff = Backoff(base: .seconds(1), cap: .seconds(300))
        /// A worker that ran this long without crashing resets ``backoff``. Default: 10 minutes.
        public var healthyAfter: Duration = .seconds(600)
        /// How long a worker may take to exit after `SIGTERM` before its whole cgroup is killed.
        /// Default: 30 s.
        public var stopTimeout: Duration = .seconds(30)
        /// The load average above which launches are deferred, as given to ``admission``; kept here
        /// to be logged. Default: `nil` (not checked).
        public var maxLoad: Double?
        /// The available memory in bytes below which launches are deferred, as given to
        /// ``admission``; kept here to be logged. Default: `nil` (not checked).
        public var minAvailableMemory: UInt64?
        /// Asked before each launch: the reasons to defer it (e.g. `load 2.3 > 1.5`); empty means go.
        /// Called on the supervisor's thread; it should return quickly. Default: always go.
        public var admission: @Sendable () -> [String] = { [] }
        /// How often a deferred launch is reconsidered. Default: 5 s.
        public var admissionRecheck: Duration = .seconds(5)
        /// How often the queue is checked for work and for a stop request: one Redis call each.
        /// Default: 1 s.
        public var tickInterval: Duration = .seconds(1)
        /// How long the supervisor lock outlives a supervisor that stops renewing it. Default: 15 s.
        public var lockTTL: Duration = .seconds(15)
        /// How often a standby supervisor tries to take the lock. Default: 3 s.
        public var standbyRetry: Duration = .seconds(3)
        /// The systemd notification socket (`NOTIFY_SOCKET`; a leading `@` names an abstract
        /// socket); `nil` sends nothing. Default: `nil`.
        public var notifySocket: String?
        /// How often to send `WATCHDOG=1` (half of systemd's `WATCHDOG_USEC`); `nil` sends none.
        /// Default: `nil`.
        public var watchdogInterval: Duration?
        /// The environment workers start with, before `JOBQ_WORKER_ID` and `JOBQ_REDIS_URL` are set
        /// and the systemd variables removed; `nil` is this process's environment. Default: `nil`.
        public var environment: [String: String]?
        /// How the queue's recurring schedules are fired while the supervisor runs (standing by or
        /// active; the scheduler lease elects one process per queue); `nil` fires none. Its
        /// `holder` is replaced by the supervisor's `host/pid`. Default: ``Scheduler/Configuration``'s defaults.
        public var scheduler: Scheduler.Configuration? = Scheduler.Configuration()
        /// This host's name, recorded with the state and with each exit. Default: the host name.
        public var host = ProcessInfo.processInfo.hostName
        /// The alert command and its limits: it is run for a tripped breaker, a job quarantined as
        /// poison, an OOM kill, a verdict that becomes CRASH LOOP, STUCK or BACKLOG (and OK again), and
        /// Redis unreachable for ``redisUnreachableAlertAfter``; `nil` runs none. See `docs/alerts.md`.
        /// Default: `nil`.
        public var alerts: AlertRunner.Configuration?
        /// How long Redis may stay unreachable before a `redis_unreachable` alert. Default: 1 minute.
        public var redisUnreachableAlertAfter: Duration = .seconds(60)
        /// How often the queue's verdict is judged for alerts (one read of its statistics), while
        /// this supervisor holds the lock and ``alerts`` is set. Default: 30 s.
        public var verdictCheckInterval: Duration = .seconds(30)
        /// The thresholds of the verdicts judged for alerts. Default: those of `jobq stats`.
        public var verdictRules = StatsConfiguration()

        /// The defaults.
        public init() {}
    }
}
