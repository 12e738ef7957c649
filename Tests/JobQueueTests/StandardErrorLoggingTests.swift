import Foundation
import Glibc
import JobQueue
import Logging
import Testing

@Suite("Logging to standard error or the journal") struct StandardErrorLoggingTests {
    /// A file of its own, open for writing, and its JOURNAL_STREAM-style identity.
    private func openFile() throws -> (descriptor: Int32, identity: String, path: String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("journal-stream-\(UUID().uuidString)").path
        let descriptor = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
        try #require(descriptor >= 0)
        var info = stat()
        try #require(fstat(descriptor, &info) == 0)
        return (descriptor, "\(info.st_dev):\(info.st_ino)", path)
    }

    @Test func aDescriptorIsTheJournalOnlyWhenItsDeviceAndInodeMatchJournalStream() throws {
        let file = try openFile()
        let other = try openFile()
        defer {
            close(file.descriptor); close(other.descriptor)
            unlink(file.path); unlink(other.path)
        }
        #expect(StandardErrorLogging.isJournal(descriptor: file.descriptor, journalStream: file.identity))
        // Inherited by a child whose stderr goes elsewhere: the variable names another stream.
        #expect(!StandardErrorLogging.isJournal(descriptor: file.descriptor, journalStream: other.identity))
        #expect(!StandardErrorLogging.isJournal(descriptor: file.descriptor, journalStream: nil))
        #expect(!StandardErrorLogging.isJournal(descriptor: file.descriptor, journalStream: ""))
        #expect(!StandardErrorLogging.isJournal(descriptor: file.descriptor, journalStream: "12:x"))
        #expect(!StandardErrorLogging.isJournal(descriptor: file.descriptor, journalStream: file.identity + ":1"))
        #expect(!StandardErrorLogging.isJournal(descriptor: -1, journalStream: file.identity))
    }

    @Test func journalLinesCarryThePriorityAndNoTimestamp() {
        let lines = LockedLines()
        var logger = Logger(label: "jobq.supervisor") { JournalLogHandler(label: $0, write: lines.append) }
        logger[metadataKey: "queue"] = "ingest"
        logger.warning("host busy", metadata: ["load": "3.2"], source: "Supervisor")
        logger.info("ready")
        logger.debug("not shown at the default level")
        #expect(lines.all == [
            "<4>warning jobq.supervisor: load=3.2 queue=ingest [Supervisor] host busy\n",
            "<6>info jobq.supervisor: queue=ingest [JobQueueTests] ready\n",
        ])
    }

    @Test func everyLevelMapsToItsSyslogPriority() {
        let priorities = Logger.Level.allCases.map(JournalLogHandler.priority(of:))
        #expect(priorities == [7, 7, 6, 5, 4, 3, 2])
    }
}

/// Lines written by a handler, safe to append to from any thread.
private final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    var all: [String] { lock.withLock { lines } }

    func append(_ line: String) { lock.withLock { lines.append(line) } }
}
