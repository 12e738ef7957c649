/// A queue's counters minute by minute over the last hour, as the stats script reads them from
/// the per-minute buckets (`QueueKeys.minuteStats`): for charts such as the dashboard's.
public struct CounterHistory: Sendable, Codable, Equatable {
    /// The start of the oldest minute, ms since the epoch (Redis clock).
    public var start: Int64
    /// Each minute's counters, oldest first; the last is the current minute so far.
    public var minutes: [StatsCounters]

    /// Creates a history.
    /// - Parameters:
    ///   - newestFirst: the buckets as the stats script returns them, the current minute first.
    ///   - now: the Redis clock, ms since the epoch.
    public init(newestFirst: [StatsCounters], now: Int64) {
        minutes = newestFirst.reversed()
        start = (now / 60_000 - Int64(max(0, newestFirst.count - 1))) * 60_000
    }

    /// One counter's values, oldest minute first.
    public func series(_ field: StatsCounters.Field) -> [Int] {
        minutes.map { $0[field] }
    }
}

/// One queue's statistics with its counters minute by minute, read in the same call.
public struct QueueSnapshot: Sendable, Equatable {
    /// The statistics, as `jobq stats --json` shows them.
    public var stats: QueueStats
    /// The per-minute counters of the last hour.
    public var history: CounterHistory

    /// Creates a snapshot.
    public init(stats: QueueStats, history: CounterHistory) {
        self.stats = stats
        self.history = history
    }
}
