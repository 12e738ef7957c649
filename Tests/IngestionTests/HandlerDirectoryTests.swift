import Foundation
import Ingestion
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

@Suite("ingest.dir handler")
struct HandlerDirectoryTests {
    @Test func ingestDirEnqueuesOneFileJobPerMatchingFileOnceThenAWorkerIngestsThemAll() throws {
        let queue = try TestRedis.queue()
        let kb = queue.name.rawValue
        let directory = try TemporaryDirectory()
        let root = directory.path
        try directory.write("a.md", text: "# A\n\nFirst document.")
        try directory.write("b.txt", text: "Second document.")
        try directory.write("sub/c.html", text: "<title>C</title><p>Third document.</p>")
        try directory.write("skip.pdf", text: "not picked")
        try directory.write(".hidden.md", text: "not picked")
        let expected = ["\(root)/a.md", "\(root)/b.txt", "\(root)/sub/c.html"]
        let dirPayload = #"{"path": \#(try jsonString(root)), "kb": "\#(kb)"}"#

        // The second scan runs while the file jobs of the first are still waiting.
        let scans = try (1...2).map { _ in try enqueue(queue, "ingest.dir", dirPayload) }
        try runBuiltInWorker(on: queue, jobs: 2)

        #expect(try scans.allSatisfy { try queue.job(id: $0) == nil }, "both scans completed")
        let waiting = try waitingJobs(queue)
        #expect(waiting.map(\.type) == Array(repeating: "ingest.file", count: 3))
        #expect(try waiting.map { try payloadObject(of: $0)["path"] as? String } == expected)
        #expect(try waiting.map { try payloadObject(of: $0)["kb"] as? String } == Array(repeating: kb, count: 3))
        #expect(waiting.map(\.uniqueKey) == expected.map { "ingest.file:\(kb):\($0)" })

        try runBuiltInWorker(on: queue, jobs: 3)
        #expect(try isDrained(queue))
        let store = try DocumentStore(connection: queue.connection, knowledgeBase: kb)
        for path in expected {
            #expect(try store.document(path: path)?.chunkCount == 1, "\(path)")
        }
        #expect(try store.document(path: "\(root)/sub/c.html")?.title == "C")
        #expect(try store.document(path: "\(root)/skip.pdf") == nil)
        #expect(try store.connection.command(["ZCARD", RedisArgument(store.keys.documents)]).integer == 3)
    }

    @Test func ingestDirReportsFilesDoneOutOfTotalAndASummaryResult() throws {
        let queue = try TestRedis.queue()
        try queue.keepCompleted(RetentionLimit.parse("1h/10"))
        let directory = try TemporaryDirectory()
        for name in ["a.md", "b.md", "c.txt"] { try directory.write(name, text: "Text of \(name).") }
        let scan = try enqueue(queue, "ingest.dir", #"{"path": \#(try jsonString(directory.path)), "kb": "\#(queue.name.rawValue)"}"#)
        try runBuiltInWorker(on: queue, jobs: 1)
        let record = try #require(try queue.job(id: scan))
        #expect(record.state == .completed)
        #expect(record.progress == JobProgress(done: 3, total: 3, message: "files"))
        #expect(record.result == "3 matching files, 3 enqueued, 0 already queued")
    }

    @Test func extensionsAndChunkSettingsInThePayloadAreHonouredAndPassedOn() throws {
        let queue = try TestRedis.queue()
        let kb = queue.name.rawValue
        let directory = try TemporaryDirectory()
        try directory.write("a.md", text: "Markdown.")
        try directory.write("notes.rst", text: "Restructured text, picked only when asked for.")

        _ = try enqueue(queue, "ingest.dir", #"{"path": \#(try jsonString(directory.path)), "kb": "\#(kb)", "extensions": ["rst"], "chunk_size": 20, "chunk_overlap": 4}"#)
        try runBuiltInWorker(on: queue, jobs: 1)

        let waiting = try waitingJobs(queue)
        #expect(waiting.count == 1)
        let payload = try payloadObject(of: try #require(waiting.first))
        #expect(payload["path"] as? String == directory.path + "/notes.rst")
        #expect((payload["chunk_size"] as? NSNumber)?.intValue == 20)
        #expect((payload["chunk_overlap"] as? NSNumber)?.intValue == 4)

        try runBuiltInWorker(on: queue, jobs: 1)
        let stored = try #require(try DocumentStore(connection: queue.connection, knowledgeBase: kb).document(path: directory.path + "/notes.rst"))
        #expect(stored.chunkSize == 20 && stored.chunkOverlap == 4 && stored.chunkCount > 1)
    }

    @Test func pathTooLongForAUniqueKeyIsQueuedUnderItsHash() throws {
        let queue = try TestRedis.queue()
        let kb = queue.name.rawValue
        let directory = try TemporaryDirectory()
        let path = try directory.write(String(repeating: "d", count: 120) + "/" + String(repeating: "f", count: 100) + ".md", text: "Deep file.")
        #expect(path.utf8.count > 200)

        for _ in 1...2 { _ = try enqueue(queue, "ingest.dir", #"{"path": \#(try jsonString(directory.path)), "kb": "\#(kb)"}"#) }
        try runBuiltInWorker(on: queue, jobs: 2)
        let waiting = try waitingJobs(queue)
        #expect(waiting.map(\.uniqueKey) == ["ingest.file:\(kb):sha256:\(HexDigest.sha256(of: path))"])

        try runBuiltInWorker(on: queue, jobs: 1)
        #expect(try DocumentStore(connection: queue.connection, knowledgeBase: kb).document(path: path)?.chunkCount == 1)
    }

    @Test func missingDirectoryOrAFileInsteadIsDeadLetteredAtOnce() throws {
        let queue = try TestRedis.queue()
        let directory = try TemporaryDirectory()
        let file = try directory.write("single.md", text: "One file.")
        let missing = try enqueue(queue, "ingest.dir", #"{"path": \#(try jsonString(directory.path + "/absent"))}"#)
        let notDirectory = try enqueue(queue, "ingest.dir", #"{"path": \#(try jsonString(file))}"#)

        try runBuiltInWorker(on: queue, jobs: 2)

        let missingRecord = try #require(try queue.job(id: missing))
        #expect(missingRecord.state == .dead && missingRecord.attempts == 1)
        #expect(missingRecord.deadReason?.hasPrefix("directoryNotFound: ") == true)
        let fileRecord = try #require(try queue.job(id: notDirectory))
        #expect(fileRecord.state == .dead && fileRecord.attempts == 1)
        #expect(fileRecord.deadReason?.hasPrefix("notADirectory: ") == true)
        #expect(try queue.counts().waiting == 0)
    }
}
