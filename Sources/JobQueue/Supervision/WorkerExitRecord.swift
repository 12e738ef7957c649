/// One worker exit, as kept in the queue's exits list (`QueueKeys.exits`, newest first, last 100).
///
/// Stored as a JSON object with snake_case keys (see `docs/supervisor.md`).
public struct WorkerExitRecord: Sendable, Codable, Equatable {
    /// A job the worker still held when it exited, and what became of it.
    public struct Job: Sendable, Codable, Equatable {
        /// The job's id.
        public var id: String
        /// `requeued` (crash counted), `poison` (quarantined), `dead` (no attempts left),
        /// `returned` (put back untouched after a clean exit or a stop), `skipped` (already settled).
        public var outcome: String

        /// Creates an entry.
        public init(id: String, outcome: String) {
            self.id = id
            self.outcome = outcome
        }
    }

    /// When the exit was recorded, ms since the epoch (Redis clock); set by Redis.
    public var at: Int64
    /// The worker's consumer id (`JOBQ_WORKER_ID`).
    public var workerID: String
    /// The host it ran on.
    public var host: String
    /// Its process id.
    public var pid: Int32
    /// Its exit status, when it exited by itself.
    public var exitStatus: Int32?
    /// The signal that killed it, e.g. `SIGKILL`, when it was killed.
    public var signal: String?
    /// Whether the kernel's OOM killer killed a process of the worker (its cgroup's count went up).
    public var oom: Bool
    /// Whether the exit counts as a crash: not status 0, or an OOM kill, and not a stop the
    /// supervisor asked for.
    public var crash: Bool
    /// In words: `exit status 0`, `exit status 1`, `killed by SIGKILL`, `OOM`.
    public var cause: String
    /// Wall-clock run time in ms.
    public var runTimeMilliseconds: Int64
    /// CPU time in ms (the worker cgroup's usage, else the worker's own from `wait4`).
    public var cpuTimeMilliseconds: Int64
    /// Highest memory use in bytes, when the cgroup reports it.
    public var peakMemoryBytes: UInt64?
    /// The jobs it still held; set by Redis.
    public var jobs: [Job]

    /// Creates a record; `at` and `jobs` are filled in when it is stored.
    public init(
        at: Int64 = 0, workerID: String, host: String, pid: Int32, exitStatus: Int32?, signal: String?,
        oom: Bool, crash: Bool, cause: String, runTimeMilliseconds: Int64, cpuTimeMilliseconds: Int64,
        peakMemoryBytes: UInt64?, jobs: [Job] = []
    ) {
        self.at = at
        self.workerID = workerID
        self.host = host
        self.pid = pid
        self.exitStatus = exitStatus
        self.signal = signal
        self.oom = oom
        self.crash = crash
        self.cause = cause
        self.runTimeMilliseconds = runTimeMilliseconds
        self.cpuTimeMilliseconds = cpuTimeMilliseconds
        self.peakMemoryBytes = peakMemoryBytes
        self.jobs = jobs
    }

    enum CodingKeys: String, CodingKey {
        case at
        case workerID = "worker_id"
        case host
        case pid
        case exitStatus = "exit_status"
        case signal
        case oom
        case crash
        case cause
        case runTimeMilliseconds = "run_time_ms"
        case cpuTimeMilliseconds = "cpu_time_ms"
        case peakMemoryBytes = "peak_memory_bytes"
        case jobs
    }

    /// Decodes a stored record; `jobs` is absent when the worker held none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        at = try container.decode(Int64.self, forKey: .at)
        workerID = try container.decode(String.self, forKey: .workerID)
        host = try container.decode(String.self, forKey: .host)
        pid = try container.decode(Int32.self, forKey: .pid)
        exitStatus = try container.decodeIfPresent(Int32.self, forKey: .exitStatus)
        signal = try container.decodeIfPresent(String.self, forKey: .signal)
        oom = try container.decode(Bool.self, forKey: .oom)
        crash = try container.decode(Bool.self, forKey: .crash)
        cause = try container.decode(String.self, forKey: .cause)
        runTimeMilliseconds = try container.decode(Int64.self, forKey: .runTimeMilliseconds)
        cpuTimeMilliseconds = try container.decode(Int64.self, forKey: .cpuTimeMilliseconds)
        peakMemoryBytes = try container.decodeIfPresent(UInt64.self, forKey: .peakMemoryBytes)
        jobs = try container.decodeIfPresent([Job].self, forKey: .jobs) ?? []
    }
}
