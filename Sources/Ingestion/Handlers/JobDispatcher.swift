import JobQueue

/// Routes each job to the handler registered for its `type`. A job whose type has no handler is
/// dead-lettered at once with reason `unknown type: <type>`: retrying cannot help it.
public struct JobDispatcher: Sendable {
    private var handlers: [String: Worker.Handler] = [:]

    /// A dispatcher with no handlers.
    public init() {}

    /// The dispatcher `ingest-worker` uses without a command: `noop`, `ingest.file`, `ingest.dir`.
    public static func builtIn() -> JobDispatcher {
        var dispatcher = JobDispatcher()
        dispatcher.register("noop") { _ in .completed }
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
