/// One problem (or one fact worth knowing) found by a diagnosis, with its evidence and its fix.
public struct Finding: Sendable, Codable, Equatable {
    /// How urgent a finding is; ordered `info` < `warning` < `critical`.
    public enum Severity: String, Sendable, Codable, Comparable, CaseIterable {
        /// Context for the operator; nothing is wrong.
        case info
        /// Degraded or risky; fix soon.
        case warning
        /// Failing now or about to; fix first.
        case critical

        /// Orders by urgency.
        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs.rank < rhs.rank
        }

        private var rank: Int {
            switch self {
            case .info: return 0
            case .warning: return 1
            case .critical: return 2
            }
        }
    }

    /// A stable identifier for the kind of finding (`load.high`), for scripts and `--json` consumers.
    /// Other modules define their own codes with `Code("redis.unreachable")`.
    public struct Code: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible,
        ExpressibleByStringLiteral {
        /// The dotted identifier.
        public let rawValue: String

        /// Wraps a dotted identifier.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// Wraps a dotted identifier.
        public init(_ rawValue: String) { self.rawValue = rawValue }

        /// Wraps a dotted identifier written as a literal.
        public init(stringLiteral value: String) { rawValue = value }

        /// Decodes from a plain JSON string.
        public init(from decoder: any Decoder) throws {
            rawValue = try decoder.singleValueContainer().decode(String.self)
        }

        /// Encodes as a plain JSON string.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }

        /// The dotted identifier.
        public var description: String { rawValue }

        /// Load average per CPU is high.
        public static let loadHigh: Code = "load.high"
        /// Tasks are stalling on CPU (pressure stall information).
        public static let cpuPressure: Code = "psi.cpu"
        /// Tasks are stalling on memory.
        public static let memoryPressure: Code = "psi.memory"
        /// Tasks are stalling on I/O.
        public static let ioPressure: Code = "psi.io"
        /// Little memory is available.
        public static let memoryLow: Code = "memory.low"
        /// No swap is configured.
        public static let swapNone: Code = "swap.none"
        /// Much of the swap is in use.
        public static let swapUsed: Code = "swap.used"
        /// A filesystem is nearly full.
        public static let diskHigh: Code = "disk.high"
        /// The processes using the most CPU and memory.
        public static let topProcesses: Code = "process.top"
        /// Several processes run the same worker, or several different workers run side by side.
        public static let duplicateWorkers: Code = "process.duplicateWorkers"
        /// A systemd unit is in the failed state.
        public static let failedUnit: Code = "systemd.failedUnit"
        /// A service has been restarted automatically many times.
        public static let restartLoop: Code = "systemd.restartLoop"
        /// A service restarts so slowly that its start limit can never stop a crash loop.
        public static let startLimitUnreachable: Code = "systemd.startLimitUnreachable"
        /// systemd could not be asked; unit checks were skipped.
        public static let systemdUnavailable: Code = "systemd.unavailable"
    }

    /// How urgent this is.
    public var severity: Severity
    /// What kind of finding this is.
    public var code: Code
    /// One sentence saying what is wrong.
    public var title: String
    /// The figures and facts behind the finding, one per line.
    public var evidence: [String]
    /// Shell commands that fix (or, failing that, investigate) the problem, in the order to run them.
    public var fix: [String]

    /// Creates a finding.
    public init(severity: Severity, code: Code, title: String, evidence: [String] = [], fix: [String] = []) {
        self.severity = severity
        self.code = code
        self.title = title
        self.evidence = evidence
        self.fix = fix
    }
}
