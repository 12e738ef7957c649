import RedisClient

extension Supervisor {
    /// Why ``Supervisor/run()`` returned, and the process exit status it maps to.
    public enum ExitReason: Sendable, Equatable, CustomStringConvertible {
        /// ``Supervisor/stop(reason:)`` was called (SIGTERM, SIGINT): the worker was stopped.
        case stopped(reason: String)
        /// Too many crashes within the window: the breaker tripped and was stored in Redis.
        case breakerTripped(reason: String)
        /// The breaker was already tripped (stored in Redis): nothing was launched.
        case breakerAlreadyTripped(reason: String)
        /// Redis may evict keys: a periodic check of the supervisor's connection found it so, or
        /// the worker refused to run on it (exit status ``evictionRefusedExitStatus``). The worker
        /// is not relaunched.
        case evictionRefused(reason: String)

        /// Exit status when the breaker is (or was already) tripped. A systemd unit lists it in
        /// `RestartPreventExitStatus=` so that systemd does not restart into the same crash loop.
        public static let breakerExitStatus: Int32 = 3
        /// Exit status when workers cannot be capped (no usable cgroup and no `--no-cgroup`).
        public static let noCgroupExitStatus: Int32 = 4
        /// Exit status when Redis may evict keys and eviction was not allowed: 78, the status of
        /// every jobq process refused this way (workers included). List it in
        /// `RestartPreventExitStatus=` too.
        public static let evictionRefusedExitStatus: Int32 = RedisConfiguration.EvictionCheck.refusalExitStatus

        /// 0 after a stop, ``breakerExitStatus`` for the breaker.
        public var exitStatus: Int32 {
            switch self {
            case .stopped: 0
            case .breakerTripped, .breakerAlreadyTripped: Self.breakerExitStatus
            case .evictionRefused: Self.evictionRefusedExitStatus
            }
        }

        /// One line for the log and the terminal.
        public var description: String {
            switch self {
            case .stopped(let reason): "stopped: \(reason)"
            case .breakerTripped(let reason): "breaker tripped: \(reason)"
            case .breakerAlreadyTripped(let reason): "breaker is tripped: \(reason)"
            case .evictionRefused(let reason): reason
            }
        }
    }
}
