/// How a job is added: everything but its payload.
public struct EnqueueOptions: Sendable, Equatable {
    /// The job id; `nil` has Redis generate one, `_<n>` from the queue's counter (the enqueue
    /// result carries it). Must be 1 to 200 characters without control characters, not starting
    /// with `@`, not of the generated form (`_` and digits only), unique within the queue while the
    /// job exists.
    public var id: String?
    /// What kind of job this is; a worker dispatches on it. Default: `"default"`.
    public var type: String = "default"
    /// How long to wait before the job becomes ready. Default: zero (ready now).
    public var delay: Duration = .zero
    /// How many times the job may start before it is dead-lettered; `nil` uses the queue's
    /// ``Queue/Configuration/defaultMaxAttempts``. Range 1...1000.
    public var maxAttempts: Int?
    /// A key that must be unique among waiting, delayed and running jobs: a second job with the
    /// same key is refused (``EnqueueResult/duplicate(existingID:)``) until the first one ends.
    public var uniqueKey: String?
    /// A token bucket this job draws from besides the queue's (e.g. one per upstream API), set
    /// with `jobq limit QUEUE --key NAME`. Without a token the job waits in the delayed set and
    /// does not hold up other jobs. 1 to 200 characters, no spaces.
    public var limiter: String?
    /// Jobs with the same concurrency key never run at the same time, on any host; a job whose
    /// key is busy is parked until it is free and does not hold up other jobs. 1 to 200 characters,
    /// no spaces.
    public var concurrencyKey: String?
    /// Return only once a replica has the job (`WAIT 1`), so that a failover cannot lose it; fail
    /// with ``JobQueueError/Code/notReplicated`` when none confirms within
    /// ``Queue/Configuration/durableTimeout``. In a batch, one durable job makes the whole batch
    /// wait. Default: false.
    public var durable: Bool = false
    /// Which waiting jobs go first (``JobPriority``). Default: normal.
    public var priority: JobPriority = .normal

    /// Options with every default.
    public init(
        id: String? = nil, type: String = "default", delay: Duration = .zero, maxAttempts: Int? = nil,
        uniqueKey: String? = nil, limiter: String? = nil, concurrencyKey: String? = nil, durable: Bool = false,
        priority: JobPriority = .normal
    ) {
        self.priority = priority
        self.id = id
        self.type = type
        self.delay = delay
        self.maxAttempts = maxAttempts
        self.uniqueKey = uniqueKey
        self.limiter = limiter
        self.concurrencyKey = concurrencyKey
        self.durable = durable
    }
}

/// A job to enqueue: its JSON payload and options.
public struct NewJob: Sendable {
    /// The payload as JSON text (any JSON value).
    public var payload: String
    /// Everything else.
    public var options: EnqueueOptions

    /// Creates a job from JSON text.
    public init(payload: String, options: EnqueueOptions = EnqueueOptions()) {
        self.payload = payload
        self.options = options
    }
}

/// What happened to an enqueued job.
public enum EnqueueResult: Sendable, Equatable {
    /// The job was added with this id.
    case enqueued(id: String)
    /// Refused: another job holds the same unique key.
    case duplicate(existingID: String)

    /// The id of the new job, or of the job that holds the unique key.
    public var id: String {
        switch self {
        case .enqueued(let id), .duplicate(let id): return id
        }
    }
}
