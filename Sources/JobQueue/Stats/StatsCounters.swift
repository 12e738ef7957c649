/// The queue's counters (`jobq:{Q}:stats` and its per-minute buckets) over one span of time.
public struct StatsCounters: Sendable, Codable, Equatable {
    /// Jobs enqueued through jobq (raw messages pushed by other clients are not counted here).
    public var enqueued = 0
    /// Jobs completed (acked).
    public var processed = 0
    /// Failed runs (each is retried or dead-lettered).
    public var failed = 0
    /// Retries scheduled: failed runs, and crashed jobs that wait again.
    public var retried = 0
    /// Jobs dead-lettered.
    public var dead = 0
    /// Messages dead-lettered because they were not valid jobs.
    public var malformed = 0
    /// Jobs in hand when their worker died or their lease expired.
    public var crashed = 0
    /// Jobs quarantined as poison (they crashed their worker too often).
    public var poison = 0
    /// Jobs cancelled.
    public var cancelled = 0
    /// Waiting references to a job that was no longer waiting, dropped.
    public var orphaned = 0
    /// Jobs whose hash vanished (evicted by Redis) while they waited, were delayed or ran:
    /// dropped and counted here, never dead-lettered.
    public var lost = 0
    /// Workers launched by the supervisor.
    public var launches = 0
    /// Worker exits the supervisor counted as crashes.
    public var crashes = 0
    /// Worker exits with an OOM kill.
    public var oomKills = 0

    /// All zero.
    public init() {}

    /// Reads a counters hash; unknown fields are ignored, missing ones are zero.
    public init(fields: [String: String]) {
        for field in Field.allCases {
            self[field] = fields[field.rawValue].flatMap { Int($0) } ?? 0
        }
    }

    /// The counter fields, named as in Redis and in JSON.
    public enum Field: String, CaseIterable, Sendable {
        /// ``StatsCounters/enqueued``.
        case enqueued
        /// ``StatsCounters/processed``.
        case processed
        /// ``StatsCounters/failed``.
        case failed
        /// ``StatsCounters/retried``.
        case retried
        /// ``StatsCounters/dead``.
        case dead
        /// ``StatsCounters/malformed``.
        case malformed
        /// ``StatsCounters/crashed``.
        case crashed
        /// ``StatsCounters/poison``.
        case poison
        /// ``StatsCounters/cancelled``.
        case cancelled
        /// ``StatsCounters/orphaned``.
        case orphaned
        /// ``StatsCounters/lost``.
        case lost
        /// ``StatsCounters/launches``.
        case launches
        /// ``StatsCounters/crashes``.
        case crashes
        /// ``StatsCounters/oomKills``.
        case oomKills = "oom_kills"
    }

    /// One counter by field.
    public subscript(field: Field) -> Int {
        get {
            switch field {
            case .enqueued: return enqueued
            case .processed: return processed
            case .failed: return failed
            case .retried: return retried
            case .dead: return dead
            case .malformed: return malformed
            case .crashed: return crashed
            case .poison: return poison
            case .cancelled: return cancelled
            case .orphaned: return orphaned
            case .lost: return lost
            case .launches: return launches
            case .crashes: return crashes
            case .oomKills: return oomKills
            }
        }
        set {
            switch field {
            case .enqueued: enqueued = newValue
            case .processed: processed = newValue
            case .failed: failed = newValue
            case .retried: retried = newValue
            case .dead: dead = newValue
            case .malformed: malformed = newValue
            case .crashed: crashed = newValue
            case .poison: poison = newValue
            case .cancelled: cancelled = newValue
            case .orphaned: orphaned = newValue
            case .lost: lost = newValue
            case .launches: launches = newValue
            case .crashes: crashes = newValue
            case .oomKills: oomKills = newValue
            }
        }
    }

    /// The sum of two spans' counters.
    public static func + (left: StatsCounters, right: StatsCounters) -> StatsCounters {
        var sum = left
        for field in Field.allCases { sum[field] += right[field] }
        return sum
    }

    enum CodingKeys: String, CodingKey {
        case enqueued, processed, failed, retried, dead, malformed, crashed, poison, cancelled, orphaned, lost, launches, crashes
        case oomKills = "oom_kills"
    }
}

/// The counters of a recent window: the current minute so far and the whole minutes before it.
public struct CounterWindow: Sendable, Codable, Equatable {
    /// Whole minutes before the current one that the window covers.
    public var minutes: Int
    /// The time the window covers, in ms: `minutes` whole minutes plus the current minute so far.
    public var spanMilliseconds: Int64
    /// The counters over the window.
    public var counts: StatsCounters

    /// Creates a window.
    public init(minutes: Int, spanMilliseconds: Int64, counts: StatsCounters) {
        self.minutes = minutes
        self.spanMilliseconds = spanMilliseconds
        self.counts = counts
    }

    /// Events per minute of one counter over the window.
    public func perMinute(_ field: StatsCounters.Field) -> Double {
        spanMilliseconds > 0 ? Double(counts[field]) * 60_000 / Double(spanMilliseconds) : 0
    }

    enum CodingKeys: String, CodingKey {
        case minutes, counts
        case spanMilliseconds = "span_ms"
    }
}

/// The counters over the windows `jobq stats` shows, and in total.
public struct CounterWindows: Sendable, Codable, Equatable {
    /// The last minute.
    public var lastMinute: CounterWindow
    /// The last 5 minutes.
    public var last5Minutes: CounterWindow
    /// The last 10 minutes (the crash-loop window).
    public var last10Minutes: CounterWindow
    /// The last hour.
    public var lastHour: CounterWindow
    /// All time.
    public var total: StatsCounters

    /// Sums per-minute buckets into the windows.
    /// - Parameters:
    ///   - minutes: the buckets, the current minute first, then one per minute before it (at least 61).
    ///   - total: the all-time counters.
    ///   - now: the Redis clock, ms since the epoch.
    public init(minutes: [StatsCounters], total: StatsCounters, now: Int64) {
        let intoMinute = now % 60_000
        func window(_ count: Int) -> CounterWindow {
            let counts = minutes.prefix(count + 1).reduce(StatsCounters(), +)
            return CounterWindow(minutes: count, spanMilliseconds: Int64(count) * 60_000 + intoMinute, counts: counts)
        }
        lastMinute = window(1)
        last5Minutes = window(5)
        last10Minutes = window(10)
        lastHour = window(60)
        self.total = total
    }

    /// The windows with their labels (`1m`, `5m`, `10m`, `1h`), shortest first.
    public var labelled: [(label: String, window: CounterWindow)] {
        [("1m", lastMinute), ("5m", last5Minutes), ("10m", last10Minutes), ("1h", lastHour)]
    }

    enum CodingKeys: String, CodingKey {
        case total
        case lastMinute = "last_1m"
        case last5Minutes = "last_5m"
        case last10Minutes = "last_10m"
        case lastHour = "last_1h"
    }
}
