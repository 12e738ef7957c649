import Foundation
import Ingestion
import JobQueue
import JobqTestSupport
import Testing

@Suite("ingest.file handler")
struct HandlerFileTests {
    private static let guide = """
        # Deploy guide

        Install the worker with a memory cap. Start it under the supervisor, never beside a second copy.

        When a job fails it is retried with backoff; when it cannot succeed it goes to the dead letters.
        """

    @Test func ingestFileJobStoresTheDocumentThenLeavesItUntouchedWhenRunAgain() throws {
        let queue = try TestRedis.queue()
        let kb = queue.name.rawValue
        let directory = try TemporaryDirectory()
        let path = try directory.write("guide.md", text: Self.guide)
        let payload = #"{"path": \#(try jsonString(path)), "kb": "\#(kb)", "chunk_size": 60, "chunk_overlap": 8}"#

        _ = try enqueue(queue, "ingest.file", payload)
        try runBuiltInWorker(on: queue, jobs: 1)

        #expect(try isDrained(queue))
        let store = try DocumentStore(connection: queue.connection, knowledgeBase: kb)
        let stored = try #require(try store.document(path: path))
        #expect(stored.title == "Deploy guide")
        #expect(stored.chunkSize == 60 && stored.chunkOverlap == 8)
        let expected = try DocumentIngester(options: IngestionOptions(chunkSize: 60, chunkOverlap: 8)).ingest(fileAt: path)
        #expect(try store.chunks(path: path) == expected.chunks)
        #expect(stored.chunkCount == expected.chunks.count)

        usleep(5_000)
        _ = try enqueue(queue, "ingest.file", payload)
        try runBuiltInWorker(on: queue, jobs: 1)
        #expect(try store.document(path: path)?.ingestedAt == stored.ingestedAt)
        #expect(try queue.counts().dead == 0)
    }

    @Test func payloadWithoutKnowledgeBaseOrChunkSettingsUsesDefaultAndWorkerOptions() throws {
        let queue = try TestRedis.queue()
        let directory = try TemporaryDirectory()
        let path = try directory.write("plain.txt", text: Self.guide)
        let options = IngestionOptions(chunkSize: 90, chunkOverlap: 3)

        _ = try enqueue(queue, "ingest.file", #"{"path": \#(try jsonString(path))}"#)
        try runBuiltInWorker(on: queue, jobs: 1, options: options)

        let store = try DocumentStore(connection: queue.connection)
        defer { _ = try? store.remove(path: path) }
        let stored = try #require(try store.document(path: path))
        #expect(stored.chunkSize == 90 && stored.chunkOverlap == 3)
        #expect(try store.chunks(path: path) == DocumentIngester(options: options).ingest(fileAt: path).chunks)
    }

    @Test func unusableFilesAreDeadLetteredAtOnceWithTheReason() throws {
        let queue = try TestRedis.queue()
        let kb = queue.name.rawValue
        let directory = try TemporaryDirectory()
        let binary = try directory.write("image.txt", bytes: [0x89, 0x50, 0x4E, 0x47, 0x00, 0x00, 0x1A, 0x0A])
        let latin1 = try directory.write("latin1.txt", bytes: Array("caf".utf8) + [0xE9, 0x0A])
        let large = try directory.write("large.txt", text: String(repeating: "word ", count: 400))
        let fine = try directory.write("fine.txt", text: "Fine.")
        func file(_ path: String, _ extra: String = "") throws -> String {
            #"{"path": \#(try jsonString(path)), "kb": "\#(kb)"\#(extra)}"#
        }
        let expectations: [(id: String, reason: String)] = [
            (try enqueue(queue, "ingest.file", try file(directory.path + "/missing.md")), "fileNotFound"),
            (try enqueue(queue, "ingest.file", try file(binary)), "binaryContent"),
            (try enqueue(queue, "ingest.file", try file(latin1)), "invalidEncoding"),
            (try enqueue(queue, "ingest.file", try file(directory.path)), "notRegularFile"),
            (try enqueue(queue, "ingest.file", try file(large)), "fileTooLarge"),
            (try enqueue(queue, "ingest.file", try file(fine, #", "chunk_size": 10, "chunk_overlap": 10"#)), "invalidOptions"),
        ]

        try runBuiltInWorker(on: queue, jobs: expectations.count, options: IngestionOptions(maxFileSize: 1000))

        for (id, reason) in expectations {
            let record = try #require(try queue.job(id: id))
            #expect(record.state == .dead, "\(reason): \(record.state)")
            #expect(record.attempts == 1, "\(reason) was retried")
            #expect(record.deadReason?.hasPrefix(reason + ": ") == true, "\(record.deadReason ?? "no reason")")
        }
        let latin1Reason = try queue.job(id: expectations[2].id)?.deadReason ?? ""
        #expect(latin1Reason.contains("not valid UTF-8") && latin1Reason.contains(latin1))
        #expect(try queue.counts().delayed == 0)
        #expect(try queue.counts().dead == expectations.count)
        #expect(try DocumentStore(connection: queue.connection, knowledgeBase: kb).document(path: fine) == nil)
    }

    @Test func malformedPayloadsAreDeadLetteredAsBadPayloadNamingTheField() throws {
        let queue = try TestRedis.queue()
        let cases: [(type: String, payload: String, reason: String)] = [
            ("ingest.file", #""just a path""#, "bad payload: the payload must be a JSON object"),
            ("ingest.file", #"[1, 2]"#, "bad payload: the payload must be a JSON object"),
            ("ingest.file", #"{}"#, #"bad payload: "path" is required"#),
            ("ingest.file", #"{"path": 5}"#, #"bad payload: "path" must be a string"#),
            ("ingest.file", #"{"path": ""}"#, #"bad payload: "path" must not be empty"#),
            ("ingest.file", #"{"path": "/tmp/x.md", "chunk_size": "big"}"#, #"bad payload: "chunk_size" must be an integer"#),
            ("ingest.file", #"{"path": "/tmp/x.md", "chunk_overlap": 1.5}"#, #"bad payload: "chunk_overlap" must be an integer"#),
            ("ingest.dir", #"{"path": "/tmp", "chunk_size": 1e40}"#, #"bad payload: "chunk_size" must be an integer"#),
            ("ingest.file", #"null"#, "bad payload: the payload must be a JSON object"),
            ("ingest.file", #"{"path": "/tmp/x.md", "kb": "two words"}"#, #"bad payload: "kb": knowledge base name"#),
            ("ingest.dir", #"{"path": "/tmp", "extensions": "md"}"#, #"bad payload: "extensions" must be an array"#),
            ("ingest.dir", #"{"path": "/tmp", "extensions": ["md", 3]}"#, #"bad payload: "extensions[1]" must be a string"#),
            ("ingest.dir", #"{"path": "/tmp", "extensions": []}"#, #"bad payload: "extensions" must list at least one extension"#),
            ("ingest.dir", #"{"kb": "default"}"#, #"bad payload: "path" is required"#),
        ]
        let ids = try cases.map { try enqueue(queue, $0.type, $0.payload) }

        try runBuiltInWorker(on: queue, jobs: cases.count)

        for (id, expected) in zip(ids, cases) {
            let record = try #require(try queue.job(id: id))
            #expect(record.state == .dead, "\(expected.payload)")
            #expect(record.attempts == 1)
            #expect(record.deadReason?.hasPrefix(expected.reason) == true, "\(expected.payload): \(record.deadReason ?? "no reason")")
        }
        #expect(try queue.counts().waiting == 0)
    }

    #if os(Linux)
    @Test func fileThatFailsToReadIsRetriedWithBackoffNotDeadLettered() throws {
        // Reading /proc/self/mem at offset 0 fails with EIO: a regular file that exists but cannot be read.
        let queue = try TestRedis.queue()
        let id = try enqueue(queue, "ingest.file", #"{"path": "/proc/self/mem", "kb": "\#(queue.name.rawValue)"}"#)

        try runBuiltInWorker(on: queue, jobs: 1)

        let record = try #require(try queue.job(id: id))
        #expect(record.state == .delayed)
        #expect(record.attempts == 1)
        #expect(record.lastError?.hasPrefix("unreadable: ") == true, "\(record.lastError ?? "no error")")
        #expect(record.lastError?.contains("errno \(EIO)") == true)
        #expect(try queue.counts().dead == 0)
    }
    #endif

    @Test func unknownTypeIsStillDeadLetteredAsUnknownType() throws {
        let queue = try TestRedis.queue()
        let id = try enqueue(queue, "ingest.everything", #"{"path": "/tmp"}"#)
        let noop = try enqueue(queue, "noop", "{}")

        try runBuiltInWorker(on: queue, jobs: 2)

        #expect(try queue.job(id: id)?.deadReason == "unknown type: ingest.everything")
        #expect(try queue.job(id: noop) == nil)
        #expect(try queue.counts().dead == 1)
    }
}
