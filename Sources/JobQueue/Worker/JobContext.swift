import Synchronization

/// What a handler gets for one run of a job, and how it learns it must stop.
///
/// The worker cancels a context when the job's lease is lost (another consumer may be running it
/// now, so the result would not be acked) or when a graceful shutdown's grace period ran out.
/// Long handlers should check ``isCancelled`` or register ``onCancel(_:)``.
public final class JobContext: Sendable {
    /// Why a run was cancelled.
    public enum CancellationReason: String, Sendable {
        /// The lease could not be extended and was lost.
        case leaseLost = "lease lost"
        /// The worker is shutting down and the grace period ended.
        case shutdown = "shutdown"
        /// The job ran longer than its timeout.
        case timeout = "timeout"
    }

    /// The job being run.
    public let job: ReservedJob
    /// The queue it came from.
    public let queue: QueueName
    private let state = Mutex<(reason: CancellationReason?, callbacks: [@Sendable (CancellationReason) -> Void])>((nil, []))
    private let storedResult = Mutex<String?>(nil)
    private let reported = Mutex<(progress: JobProgress?, source: (@Sendable () -> JobProgress?)?)>((nil, nil))

    init(job: ReservedJob, queue: QueueName) {
        self.job = job
        self.queue = queue
    }

    /// Why the run was cancelled, or `nil` while it may go on.
    public var cancellationReason: CancellationReason? { state.withLock { $0.reason } }

    /// True once the run must stop.
    public var isCancelled: Bool { cancellationReason != nil }

    /// Calls `body` (on another thread) when the run is cancelled, or at once if it already is.
    public func onCancel(_ body: @escaping @Sendable (CancellationReason) -> Void) {
        let already: CancellationReason? = state.withLock { state in
            if state.reason == nil { state.callbacks.append(body) }
            return state.reason
        }
        if let already { body(already) }
    }

    /// Sets the run's result, kept with the job when it completes where the queue keeps a history
    /// (``Queue/keepCompleted(_:)``) and shown by `jobq show` and `jobq history`: a short text
    /// such as "42 rows written". Only its last ``Consumer/resultMaxBytes`` bytes are kept. A
    /// later call replaces an earlier one.
    public func setResult(_ text: String) {
        storedResult.withLock { $0 = text }
    }

    /// The result set with ``setResult(_:)``, if any.
    public var result: String? { storedResult.withLock { $0 } }

    /// Reports how far the run has got. The worker saves the latest report with the job at most
    /// once a second (with the lease extension), for `jobq show` and `jobq stats`; reporting
    /// often costs nothing more. The message is cut to ``JobProgress/messageMaxBytes``.
    public func reportProgress(_ progress: JobProgress) {
        reported.withLock { $0.progress = progress }
    }

    /// Reports `done` units of work out of `total` (when known), e.g. `reportProgress(done: 3,
    /// total: 10, message: "files")`; see ``reportProgress(_:)``.
    public func reportProgress(done: Int, total: Int? = nil, message: String? = nil) {
        reportProgress(JobProgress(done: Int64(done), total: total.map(Int64.init), message: message))
    }

    /// The latest progress reported, if any.
    public var progress: JobProgress? {
        let (progress, source) = reported.withLock { ($0.progress, $0.source) }
        return source?() ?? progress
    }

    /// Makes ``progress`` read `source` while it has something, for handlers that report through a
    /// pipe. It is called when the progress is read: by the lease keeper's thread at most once a
    /// second, and once more when the run is acked.
    func readProgress(from source: @escaping @Sendable () -> JobProgress?) {
        reported.withLock { $0.source = source }
    }

    /// Cancels the run; the first reason wins.
    func cancel(_ reason: CancellationReason) {
        let callbacks: [@Sendable (CancellationReason) -> Void] = state.withLock { state in
            guard state.reason == nil else { return [] }
            state.reason = reason
            defer { state.callbacks = [] }
            return state.callbacks
        }
        for callback in callbacks { callback(reason) }
    }
}

/// How a run of a job ended, as the handler reports it.
public enum JobResult: Sendable, Equatable {
    /// Done: ack it.
    case completed
    /// Not now: put it back, to run after `after`, without counting a failed attempt.
    case retryLater(after: Duration)
    /// Failed with this error text: retry with backoff, or dead-letter after the last attempt.
    case failed(String)
    /// Failed in a way retrying cannot fix: dead-letter now with this reason.
    case failedPermanently(reason: String)
}
