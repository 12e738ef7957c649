/// Everything stored about one job, as shown by `jobq show`, `jobq dead` and `jobq history`.
public struct JobRecord: Sendable, Codable, Equatable {
    /// Where the job is in its life. `completed` jobs exist only where the queue keeps a history
    /// (``Queue/setRetention(_:)``); `dead` is the end of a job that failed.
    public enum State: String, Sendable, Codable {
        case waiting, delayed, active, completed, dead, cancelled
    }

    /// The job's id.
    public var id: String
    /// The queue it belongs to.
    public var queue: String
    /// Its state.
    public var state: State
    /// Its type.
    public var type: String
    /// Its message as stored (a JSON object; for malformed messages, the raw text, cut at 64 KiB).
    public var body: String
    /// Starts so far.
    public var attempts: Int
    /// Allowed starts.
    public var maxAttempts: Int
    /// Times it was in hand when its worker died or its lease expired.
    public var crashes: Int
    /// Times in ms since the epoch (Redis clock); `nil` when not applicable.
    public var enqueuedAt: Int64?
    public var startedAt: Int64?
    public var dueAt: Int64?
    public var leaseUntil: Int64?
    public var deadAt: Int64?
    /// When it finished: completed, or dead-lettered (ms since the epoch, Redis clock).
    public var finishedAt: Int64?
    /// How long its last run took, from its start to ``finishedAt``, in ms; `nil` when it did not
    /// finish or never started (a malformed message).
    public var durationMs: Int64?
    /// The consumer holding the lease while active; for a finished job, the consumer of its last run.
    public var owner: String?
    /// The host and process id of the worker of its last run, for a finished job, when that
    /// worker's registry entry was there to say.
    public var host: String?
    public var pid: Int32?
    /// What the handler gave as the run's result (at most 4 KiB), for a completed job.
    public var result: String?
    /// How far its run had got, as its handler last reported (saved at most once a second); kept
    /// when it finishes.
    public var progress: JobProgress?
    /// When that progress was saved (Redis clock).
    public var progressAt: Int64?
    /// The last error text (last 4 KiB of the failure message or of the child's stderr).
    public var lastError: String?
    /// The cause of the last crash ('lease expired', 'OOM', 'killed by SIGKILL', ...).
    public var lastCrash: String?
    /// Why it was dead-lettered.
    public var deadReason: String?
    /// The unique key it holds, if any.
    public var uniqueKey: String?
    /// Its priority.
    public var priority: JobPriority

    init?(queue: String, id: String, fields: [String: String]) {
        guard let rawState = fields["state"], let state = State(rawValue: rawState) else { return nil }
        self.id = id
        self.queue = queue
        self.state = state
        type = fields["type"] ?? "default"
        maxAttempts = fields["max_attempts"].flatMap { Int($0) } ?? 0
        if let message = fields["body"] {
            body = message
        } else if let payload = fields["payload"] {
            body = String(decoding: JobMessage.assemble(
                id: id, type: type, maxAttempts: maxAttempts, limiter: fields["limiter"],
                concurrencyKey: fields["concurrency_key"], payload: Array(payload.utf8)), as: UTF8.self)
        } else {
            body = ""
        }
        attempts = fields["attempts"].flatMap { Int($0) } ?? 0
        crashes = fields["crashes"].flatMap { Int($0) } ?? 0
        enqueuedAt = fields["enqueued_at"].flatMap { Int64($0) }
        startedAt = fields["started_at"].flatMap { Int64($0) }
        dueAt = fields["due_at"].flatMap { Int64($0) }
        leaseUntil = fields["lease_until"].flatMap { Int64($0) }
        deadAt = fields["dead_at"].flatMap { Int64($0) }
        finishedAt = state == .completed ? fields["finished_at"].flatMap { Int64($0) } : state == .dead ? deadAt : nil
        if let finishedAt, let startedAt { durationMs = max(0, finishedAt - startedAt) }
        owner = fields["owner"]
        host = fields["host"].flatMap { $0.isEmpty ? nil : $0 }
        pid = fields["pid"].flatMap { Int32($0) }
        result = fields["result"]
        progress = fields["progress"].flatMap(JobProgress.init(storedJSON:))
        progressAt = progress == nil ? nil : fields["progress_at"].flatMap { Int64($0) }
        lastError = fields["last_error"]
        lastCrash = fields["last_crash"]
        deadReason = fields["dead_reason"]
        uniqueKey = fields["unique"]
        priority = fields["priority"].flatMap(JobPriority.init(rawValue:)) ?? .normal
    }
}
