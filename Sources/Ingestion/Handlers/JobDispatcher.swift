import JobQueue
import Logging

/// Routes each job to the handler registered for its `type`. A job whose type has no handler is
/// dead-lettered at once with reason `unknown type: <type>`: retrying cannot help it.
public struct JobDispatcher: Sendable {
    private var handlers: [String: Worker.Handler] = [:]

    /// A dispatcher with no handlers.
    public init() {}

    /// The dispatcher `ingest-worker` uses without a command: `noop`, `ingest.file`, `ingest.dir`
    /// (payloads and outcomes in `docs/ingestion.md`).
    /// - Parameters:
    ///   - queue: The queue the worker runs: `ingest.dir` enqueues its `ingest.file` jobs there, and
    ///     documents are stored over its connection.
    ///   - options: Limits and chunk settings; a job's payload may override the chunk settings.
    ///   - logger: Where the handlers report what they stored and why jobs failed.
    public static func builtIn(
        queue: Queue,
        options: IngestionOptions = IngestionOptions(),
        logger: Logger = Logger(label: "ingest-worker")
    ) -> JobDispatcher {
        var dispatcher = JobDispatcher()
        dispatcher.register("noop") { _ in .completed }
        let file = IngestFileHandler(connection: queue.connection, options: options, logger: logger)
        dispatcher.register(IngestFileHandler.jobType) { file.handle($0) }
        let directory = IngestDirectoryHandler(queue: queue, options: options, logger: logger)
        dispatcher.register(IngestDirectoryHandler.jobType) { directory.handle($0) }
        return dispatcher
    }

    /// Registers (or replaces) the handler of a type.
    public mutating func register(_ type: String, handler: @escaping Worker.Handler) {
        handlers[type] = handler
    }

    /// The types with a handler, sorted.
    public var types: [String] { handlers.keys.sorted() }

    /// Runs the job's handler.
    public func handle(_ context: JobContext) throws -> JobResult {
        guard let handler = handlers[context.job.type] else {
            return .failedPermanently(reason: "unknown type: \(context.job.type)")
        }
        return try handler(context)
    }
}
