import JobQueue

/// What the dashboard shows of one queue besides its statistics (`GET /api/queues/Q/activity`):
/// the counters minute by minute over the last hour, a timeline of what happened to its workers
/// and by whom, and its newest dead letters. Encoded with snake_case keys (`docs/web.md`).
public struct QueueActivity: Sendable, Codable, Equatable {
    /// The queue's name.
    public var queue: String
    /// When it was read (Redis clock, ms since the epoch).
    public var at: Int64
    /// Counters per minute, oldest first, the current minute last.
    public var minutes: MinuteSeries
    /// Launches, crashes, OOM kills, breaker trips and operator actions, newest first.
    public var timeline: [TimelineEntry]
    /// The newest dead letters, newest first, with their reason and last error.
    public var deadLetters: [JobRecord]

    /// The per-minute series the chart draws.
    public struct MinuteSeries: Sendable, Codable, Equatable {
        /// The start of the oldest minute (ms since the epoch).
        public var start: Int64
        /// Jobs enqueued per minute.
        public var enqueued: [Int]
        /// Jobs completed per minute.
        public var processed: [Int]
        /// Failed runs per minute.
        public var failed: [Int]

        /// Takes the series from a queue's counter history.
        public init(_ history: CounterHistory) {
            start = history.start
            enqueued = history.series(.enqueued)
            processed = history.series(.processed)
            failed = history.series(.failed)
        }
    }

    /// Gathers the activity of a queue from what was read of it.
    /// - Parameters:
    ///   - snapshot: its statistics with the per-minute counters.
    ///   - exits: its newest worker exits, newest first.
    ///   - events: its newest operator events, newest first.
    ///   - deadLetters: its newest dead letters.
    public init(snapshot: QueueSnapshot, exits: [WorkerExitRecord], events: [OperatorEvent], deadLetters: [JobRecord]) {
        queue = snapshot.stats.queue
        at = snapshot.stats.at
        minutes = MinuteSeries(snapshot.history)
        timeline = TimelineEntry.timeline(
            history: snapshot.history, supervisor: snapshot.stats.supervisor, exits: exits, events: events,
            since: snapshot.history.start)
        self.deadLetters = deadLetters
    }

    enum CodingKeys: String, CodingKey {
        case queue, at, minutes, timeline
        case deadLetters = "dead_letters"
    }
}
