import Glibc
import Logging

/// Where jobq's programs log: standard error, in one of two forms.
///
/// On a terminal or into a file, swift-log's `StreamLogHandler` lines, each with its own
/// timestamp. When standard error is connected to the systemd journal (a service's default), the
/// journal stamps every line itself, so the lines carry no timestamp of their own; each starts with
/// a syslog priority prefix such as `<4>` instead, which the journal stores as the entry's
/// priority (`journalctl -p warning` then finds the warnings).
public enum StandardErrorLogging {
    /// Bootstraps swift-log for the process: journal lines when standard error is the journal,
    /// otherwise `StreamLogHandler.standardError`. Call once, first thing in `main`.
    public static func bootstrap() {
        let journalStream = getenv("JOURNAL_STREAM").map { String(cString: $0) }
        if isJournal(descriptor: STDERR_FILENO, journalStream: journalStream) {
            LoggingSystem.bootstrap { JournalLogHandler(label: $0) }
        } else {
            LoggingSystem.bootstrap(StreamLogHandler.standardError)
        }
    }

    /// Whether `descriptor` is the journal stream systemd set up for this service.
    ///
    /// systemd passes `JOURNAL_STREAM=DEVICE:INODE` (decimal) naming the stream it connected to
    /// the service's standard output or error; the variable is inherited by children whose output
    /// goes elsewhere, so the descriptor's own device and inode must match it.
    /// - Parameters:
    ///   - descriptor: an open file descriptor, normally standard error.
    ///   - journalStream: the value of `JOURNAL_STREAM`, or `nil` when it is unset.
    public static func isJournal(descriptor: Int32, journalStream: String?) -> Bool {
        guard let journalStream else { return false }
        let parts = journalStream.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }
}

/// Log lines for the systemd journal: `<PRIORITY>LEVEL LABEL: [METADATA] [SOURCE] MESSAGE`, as
/// `StreamLogHandler` writes them but with a syslog priority prefix in place of the timestamp.
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let write: @Sendable (String) -> Void

    /// A handler writing to standard error.
    public init(label: String) {
        self.init(label: label) { line in
            line.withCString { _ = Glibc.write(STDERR_FILENO, $0, strlen($0)) }
        }
    }

    /// A handler handing each line, newline included, to `write`.
    public init(label: String, write: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.write = write
        self.metadataProvider = LoggingSystem.metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let explicit = event.metadata { merged.merge(explicit) { $1 } }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        let pretty = merged.isEmpty ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0)=\($1)" }.joined(separator: " ")
        let labelText = label.isEmpty ? "" : " " + label
        write("<\(Self.priority(of: event.level))>\(event.level)\(labelText):\(pretty) [\(event.source)] \(event.message)\n")
    }

    /// The syslog priority of a level: 7 debug (and trace) up to 2 critical.
    public static func priority(of level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }
}
