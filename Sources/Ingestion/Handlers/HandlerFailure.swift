import JobQueue
import Logging

/// Why a built-in handler stopped without finishing its job, and whether a retry can help.
struct HandlerFailure: Error, Sendable, CustomStringConvertible {
    /// Where the failure came from.
    enum Code: String, Sendable {
        /// The payload is not what the job type needs.
        case badPayload
        /// Reading, decoding, chunking or scanning failed (see ``IngestionError``).
        case ingestion
        /// Storing the document failed (see ``DocumentStoreError``).
        case storage
        /// Enqueueing fan-out jobs failed (see ``JobQueueError``).
        case enqueue
        /// The run was cancelled (lease lost, shutdown or timeout) before it finished.
        case cancelled
    }

    /// Where the failure came from.
    var code: Code
    /// The reason recorded with the job: what failed and what to do about it.
    var message: String
    /// Whether running the job again may succeed; if not, it is dead-lettered at once.
    var retryable: Bool
    /// The error that caused this one, if any.
    var cause: (any Error & Sendable)?

    var description: String { message }

    /// Creates a failure.
    init(code: Code, message: String, retryable: Bool, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.retryable = retryable
        self.cause = cause
    }

    /// The result that retries the job with backoff, or dead-letters it now.
    var jobResult: JobResult {
        retryable ? .failed(message) : .failedPermanently(reason: message)
    }

    /// Logs a failure that will be retried; the worker logs dead letters with their reason itself.
    func log(job: ReservedJob, to logger: Logger) {
        guard retryable else { return }
        logger.warning("\(job.type) job \(job.id) (attempt \(job.attempt) of \(job.maxAttempts)): \(message)")
    }

    /// A payload the job type cannot use: `bad payload: <problem>`, never retried.
    static func badPayload(_ problem: String) -> HandlerFailure {
        HandlerFailure(code: .badPayload, message: "bad payload: \(problem)", retryable: false)
    }

    /// An ingestion failure: retried only when the file or directory could not be read (EIO,
    /// EACCES and the like), since every other cause stays the same until someone changes the file.
    init(_ error: IngestionError) {
        let retryable = switch error.code {
        case .unreadable: true
        case .invalidOptions, .fileNotFound, .notRegularFile, .fileTooLarge, .binaryContent, .invalidEncoding,
             .directoryNotFound, .notADirectory, .tooManyFiles: false
        }
        self.init(code: .ingestion, message: error.description, retryable: retryable, cause: error)
    }

    /// A storage failure: a bad knowledge-base name is a bad payload; anything else (Redis
    /// unreachable, out of memory) is retried.
    init(_ error: DocumentStoreError) {
        if error.code == .invalidKnowledgeBase {
            self = .badPayload("\"kb\": \(error.message)")
        } else {
            self.init(code: .storage, message: error.description, retryable: true, cause: error)
        }
    }

    /// A failure to enqueue: an invalid job is never retried; a Redis failure is.
    init(_ error: JobQueueError) {
        self.init(code: .enqueue, message: "enqueueing failed: \(error.message)", retryable: error.code != .invalidJob, cause: error)
    }

    /// Stops the run when it was cancelled, before `step`.
    static func checkCancellation(_ context: JobContext, before step: String) throws(HandlerFailure) {
        guard let reason = context.cancellationReason else { return }
        throw HandlerFailure(code: .cancelled, message: "stopped before \(step): \(reason.rawValue)", retryable: true)
    }
}
