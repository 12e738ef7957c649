/// Everything `jobq stats` shows about one queue at one moment, with its verdicts.
///
/// Read with ``Queue/stats(configuration:)`` or ``QueueStats/read(_:on:configuration:)`` in one
/// Redis call per queue whose cost does not grow with the number of jobs. Codable as the stable
/// JSON of `jobq stats --json` (`docs/stats-json.md`): snake_case keys, counts as integers, times
/// in ms since the epoch (Redis clock), durations in ms; optional fields are left out when absent.
public struct QueueStats: Sendable, Codable, Equatable {
    /// The queue's name.
    public var queue: String
    /// When the figures were read (Redis clock, ms since the epoch).
    public var at: Int64
    /// Every verdict that applies, most urgent first; empty means OK.
    public var verdicts: [QueueVerdict]
    /// Jobs in each state.
    public var jobs: JobCounts
    /// The oldest waiting job; `nil` when nothing waits.
    public var oldestWaiting: OldestWaiting?
    /// Whether the queue is paused.
    public var paused: Bool
    /// The stop request for the queue's supervisor, if one is set.
    public var stopRequest: StopRequest?
    /// The queue's own token bucket; `nil` when no rate limit is set.
    public var rateLimit: RateLimitLevel?
    /// The concurrency limit and the jobs running now.
    public var concurrency: ConcurrencyUse
    /// Locks held now: concurrency slots, concurrency keys, the supervisor's lock.
    public var locks: [HeldLock]
    /// Counters over recent windows and in total.
    public var counters: CounterWindows
    /// Workers with a live registry entry (heartbeat), most recently seen first.
    public var workers: [LiveWorker]
    /// The queue's supervisor, as its Redis hash says.
    public var supervisor: SupervisorSummary
    /// The newest worker exits recorded by the supervisor, newest first.
    public var recentExits: [WorkerExitRecord]
    /// The newest operator action recorded on the queue (emergency stop, resume).
    public var lastEvent: OperatorEvent?
    /// The newest emergency stop recorded on the queue.
    public var lastEmergencyStop: OperatorEvent?
    /// The last job lost because its hash vanished (evicted); `nil` when none ever was. How many
    /// were lost is ``counters``' `lost`.
    public var lastLost: LostJob?
    /// The queue's recurring schedules, sorted by name, with their next runs and last results.
    public var schedules: [Schedule] = []
    /// Who holds the queue's scheduler lease (`host/pid`), if anyone: the process firing its schedules.
    public var schedulerHolder: String?
    /// Schedules this version cannot read, by name, with why: they do not fire.
    public var unreadableSchedules: [String: String] = [:]

    /// The verdict shown first: the most urgent that applies, or `ok`.
    public var verdict: QueueVerdict.Kind { verdicts.first?.kind ?? .ok }

    /// Creates statistics from their parts; ``verdicts`` starts empty (see ``QueueVerdict/judge(_:configuration:)``).
    public init(
        queue: String, at: Int64, jobs: JobCounts, oldestWaiting: OldestWaiting?, paused: Bool, stopRequest: StopRequest?,
        rateLimit: RateLimitLevel?, concurrency: ConcurrencyUse, locks: [HeldLock], counters: CounterWindows,
        workers: [LiveWorker], supervisor: SupervisorSummary, recentExits: [WorkerExitRecord],
        lastEvent: OperatorEvent?, lastEmergencyStop: OperatorEvent?, lastLost: LostJob? = nil
    ) {
        self.queue = queue
        self.at = at
        self.verdicts = []
        self.jobs = jobs
        self.oldestWaiting = oldestWaiting
        self.paused = paused
        self.stopRequest = stopRequest
        self.rateLimit = rateLimit
        self.concurrency = concurrency
        self.locks = locks
        self.counters = counters
        self.workers = workers
        self.supervisor = supervisor
        self.recentExits = recentExits
        self.lastEvent = lastEvent
        self.lastEmergencyStop = lastEmergencyStop
        self.lastLost = lastLost
    }

    enum CodingKeys: String, CodingKey {
        case queue, at, verdict, verdicts, jobs, paused, locks, counters, workers, supervisor
        case oldestWaiting = "oldest_waiting"
        case stopRequest = "stop_request"
        case rateLimit = "rate_limit"
        case concurrency
        case recentExits = "recent_exits"
        case lastEvent = "last_event"
        case lastEmergencyStop = "last_emergency_stop"
        case lastLost = "last_lost"
        case schedules
        case schedulerHolder = "scheduler"
        case unreadableSchedules = "unreadable_schedules"
    }

    /// Decodes statistics; the primary `verdict` is derived from `verdicts`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        queue = try container.decode(String.self, forKey: .queue)
        at = try container.decode(Int64.self, forKey: .at)
        verdicts = try container.decode([QueueVerdict].self, forKey: .verdicts)
        jobs = try container.decode(JobCounts.self, forKey: .jobs)
        oldestWaiting = try container.decodeIfPresent(OldestWaiting.self, forKey: .oldestWaiting)
        paused = try container.decode(Bool.self, forKey: .paused)
        stopRequest = try container.decodeIfPresent(StopRequest.self, forKey: .stopRequest)
        rateLimit = try container.decodeIfPresent(RateLimitLevel.self, forKey: .rateLimit)
        concurrency = try container.decode(ConcurrencyUse.self, forKey: .concurrency)
        locks = try container.decode([HeldLock].self, forKey: .locks)
        counters = try container.decode(CounterWindows.self, forKey: .counters)
        workers = try container.decode([LiveWorker].self, forKey: .workers)
        supervisor = try container.decode(SupervisorSummary.self, forKey: .supervisor)
        recentExits = try container.decode([WorkerExitRecord].self, forKey: .recentExits)
        lastEvent = try container.decodeIfPresent(OperatorEvent.self, forKey: .lastEvent)
        lastEmergencyStop = try container.decodeIfPresent(OperatorEvent.self, forKey: .lastEmergencyStop)
        lastLost = try container.decodeIfPresent(LostJob.self, forKey: .lastLost)
        schedules = try container.decodeIfPresent([Schedule].self, forKey: .schedules) ?? []
        schedulerHolder = try container.decodeIfPresent(String.self, forKey: .schedulerHolder)
        unreadableSchedules = try container.decodeIfPresent([String: String].self, forKey: .unreadableSchedules) ?? [:]
    }

    /// Encodes every field, and the primary `verdict` before the list of `verdicts`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(queue, forKey: .queue)
        try container.encode(at, forKey: .at)
        try container.encode(verdict, forKey: .verdict)
        try container.encode(verdicts, forKey: .verdicts)
        try container.encode(jobs, forKey: .jobs)
        try container.encodeIfPresent(oldestWaiting, forKey: .oldestWaiting)
        try container.encode(paused, forKey: .paused)
        try container.encodeIfPresent(stopRequest, forKey: .stopRequest)
        try container.encodeIfPresent(rateLimit, forKey: .rateLimit)
        try container.encode(concurrency, forKey: .concurrency)
        try container.encode(locks, forKey: .locks)
        try container.encode(counters, forKey: .counters)
        try container.encode(workers, forKey: .workers)
        try container.encode(supervisor, forKey: .supervisor)
        try container.encode(recentExits, forKey: .recentExits)
        try container.encodeIfPresent(lastEvent, forKey: .lastEvent)
        try container.encodeIfPresent(lastEmergencyStop, forKey: .lastEmergencyStop)
        try container.encodeIfPresent(lastLost, forKey: .lastLost)
        try container.encode(schedules, forKey: .schedules)
        try container.encodeIfPresent(schedulerHolder, forKey: .schedulerHolder)
        if !unreadableSchedules.isEmpty { try container.encode(unreadableSchedules, forKey: .unreadableSchedules) }
    }
}
