/// A worker with a live registry entry (`jobq:{Q}:worker:<id>`, kept alive by its heartbeat).
public struct LiveWorker: Sendable, Codable, Equatable {
    /// Its consumer id.
    public var id: String
    /// The host it runs on.
    public var host: String?
    /// Its process id.
    public var pid: Int32?
    /// When it started (ms since the epoch, its own clock).
    public var startedAt: Int64?
    /// Jobs it has finished.
    public var processed: Int
    /// Its resident memory at the last heartbeat, in bytes.
    public var rssBytes: Int64?
    /// The job it is running, if any.
    public var job: String?
    /// When that job started (Redis clock).
    public var jobStartedAt: Int64?
    /// How long that job has been running, in ms.
    public var jobRunningMilliseconds: Int64?
    /// How far that job has got, as its handler last reported (saved at most once a second).
    public var progress: JobProgress?
    /// When that progress was saved (Redis clock).
    public var progressAt: Int64?
    /// Its last heartbeat (Redis clock).
    public var seenAt: Int64?
    /// The command it runs, when it reported one.
    public var command: String?

    /// Reads a registry entry.
    /// - Parameters:
    ///   - id: the consumer id.
    ///   - fields: the hash's fields.
    ///   - now: the Redis clock, ms since the epoch.
    public init(id: String, fields: [String: String], now: Int64) {
        self.id = id
        host = fields["host"].flatMap { $0.isEmpty ? nil : $0 }
        pid = fields["pid"].flatMap { Int32($0) }
        startedAt = fields["started_at"].flatMap { Int64($0) }
        processed = fields["processed"].flatMap { Int($0) } ?? 0
        rssBytes = fields["rss"].flatMap { Int64($0) }
        job = fields["job"].flatMap { $0.isEmpty ? nil : $0 }
        jobStartedAt = job == nil ? nil : fields["job_started_at"].flatMap { Int64($0) }
        jobRunningMilliseconds = jobStartedAt.map { max(0, now - $0) }
        progress = job == nil ? nil : fields["progress"].flatMap(JobProgress.init(storedJSON:))
        progressAt = progress == nil ? nil : fields["progress_at"].flatMap { Int64($0) }
        seenAt = fields["seen_at"].flatMap { Int64($0) }
        command = fields["command"].flatMap { $0.isEmpty ? nil : $0 }
    }

    enum CodingKeys: String, CodingKey {
        case id, host, pid, processed, job, command, progress
        case progressAt = "progress_at"
        case startedAt = "started_at"
        case rssBytes = "rss_bytes"
        case jobStartedAt = "job_started_at"
        case jobRunningMilliseconds = "job_running_ms"
        case seenAt = "seen_at"
    }
}
