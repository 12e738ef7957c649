/// How many jobs of a queue are in each state, as `jobq stats` shows them.
public struct JobCounts: Sendable, Codable, Equatable {
    /// Entries in the waiting lists of all priorities (cancelled tombstones not yet dropped included).
    public var waiting: Int
    /// Of those, the high-priority ones.
    public var waitingHigh: Int = 0
    /// Of those, the low-priority ones.
    public var waitingLow: Int = 0
    /// Delayed and retrying jobs.
    public var delayed: Int
    /// Delayed jobs already due (a worker or the reaper moves them to waiting).
    public var delayedDue: Int
    /// Running (leased) jobs.
    public var active: Int
    /// Running jobs whose lease ended longer ago than the lease grace and that nobody recovered yet.
    public var expiredLeases: Int
    /// Dead letters.
    public var dead: Int
    /// Jobs parked behind a held concurrency key.
    public var parked: Int

    /// Creates counts.
    public init(waiting: Int, delayed: Int, delayedDue: Int, active: Int, expiredLeases: Int, dead: Int, parked: Int) {
        self.waiting = waiting
        self.delayed = delayed
        self.delayedDue = delayedDue
        self.active = active
        self.expiredLeases = expiredLeases
        self.dead = dead
        self.parked = parked
    }

    enum CodingKeys: String, CodingKey {
        case waiting, delayed, active, dead, parked
        case delayedDue = "delayed_due"
        case expiredLeases = "expired_leases"
        case waitingHigh = "waiting_high"
        case waitingLow = "waiting_low"
    }
}

/// The oldest entry of the waiting list (the next to run).
public struct OldestWaiting: Sendable, Codable, Equatable {
    /// When it was enqueued (ms since the epoch, Redis clock); `nil` when unknown (a raw message
    /// pushed without `enqueued_at`).
    public var enqueuedAt: Int64?
    /// How long it has waited, in ms; `nil` when unknown.
    public var ageMilliseconds: Int64?

    /// Creates the entry's figures.
    public init(enqueuedAt: Int64?, ageMilliseconds: Int64?) {
        self.enqueuedAt = enqueuedAt
        self.ageMilliseconds = ageMilliseconds
    }

    enum CodingKeys: String, CodingKey {
        case enqueuedAt = "enqueued_at"
        case ageMilliseconds = "age_ms"
    }
}

/// The queue's token bucket: its rate and how many tokens it holds now.
public struct RateLimitLevel: Sendable, Codable, Equatable {
    /// Tokens added per period.
    public var count: Int
    /// The period, in ms.
    public var periodMilliseconds: Int64
    /// The most tokens the bucket holds.
    public var burst: Int
    /// Tokens in the bucket now (a fraction while it refills).
    public var tokens: Double

    /// Creates a bucket's figures.
    public init(count: Int, periodMilliseconds: Int64, burst: Int, tokens: Double) {
        self.count = count
        self.periodMilliseconds = periodMilliseconds
        self.burst = burst
        self.tokens = tokens
    }

    enum CodingKeys: String, CodingKey {
        case count, burst, tokens
        case periodMilliseconds = "period_ms"
    }
}

/// The queue's concurrency limit and how much of it is used.
public struct ConcurrencyUse: Sendable, Codable, Equatable {
    /// The most jobs of the queue that may run at once on all hosts; `nil` for no limit.
    public var limit: Int?
    /// Jobs running now.
    public var running: Int

    /// Creates the figures.
    public init(limit: Int?, running: Int) {
        self.limit = limit
        self.running = running
    }
}
