import Logging
import Synchronization

/// A logger whose messages a test can read: what an operator would see in the journal.
final class RecordedLog: Sendable {
    private let entries = Mutex<[(level: Logger.Level, message: String)]>([])

    /// A logger writing here.
    var logger: Logger {
        Logger(label: "test.recorded") { _ in Handler(recorded: self) }
    }

    /// The messages logged at `level`, oldest first.
    func messages(at level: Logger.Level) -> [String] {
        entries.withLock { $0.filter { $0.level == level }.map(\.message) }
    }

    private struct Handler: LogHandler {
        let recorded: RecordedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            recorded.entries.withLock { $0.append((level, message.description)) }
        }
    }
}
