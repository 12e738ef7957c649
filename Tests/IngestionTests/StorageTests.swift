import Foundation
import Ingestion
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

@Suite("Document store in Redis")
struct StorageTests {
    private static let small = IngestionOptions(chunkSize: 40, chunkOverlap: 10)
    private static let longText = """
        # Runbook

        The worker reads one file at a time. It never runs twice beside itself.

        Each chunk overlaps the one before it, so a sentence cut in two is still found whole.

        Old chunks go away when the file changes; nothing is left behind.
        """

    /// A store on a knowledge base no other test uses.
    private func makeStore(_ label: String = #function) throws -> DocumentStore {
        try DocumentStore(connection: TestRedis.connection(), knowledgeBase: uniqueQueueName(label).rawValue)
    }

    private func ingest(_ path: String, _ options: IngestionOptions = small) throws -> IngestedDocument {
        try DocumentIngester(options: options).ingest(fileAt: path)
    }

    @Test func firstSaveCreatesTheDocumentAndAnIdenticalSaveWritesNothing() throws {
        let store = try makeStore()
        let directory = try TemporaryDirectory()
        let path = try directory.write("runbook.md", text: Self.longText)
        let document = try ingest(path)
        #expect(document.chunks.count >= 4)

        #expect(try store.save(document, options: Self.small) == .created)
        let stored = try #require(try store.document(path: directory.path + "/./runbook.md"))
        #expect(stored.id == HexDigest.sha256(of: path))
        #expect(stored.path == path)
        #expect(stored.title == "Runbook")
        #expect(stored.format == .markdown)
        #expect(stored.contentHash == HexDigest.sha256(of: Array(Self.longText.utf8)))
        #expect(stored.byteSize == Self.longText.utf8.count)
        #expect(abs(stored.modifiedAt.timeIntervalSince(document.modifiedAt)) < 0.001)
        #expect(stored.chunkSize == 40 && stored.chunkOverlap == 10)
        #expect(stored.chunkCount == document.chunks.count)
        #expect(abs(stored.ingestedAt.timeIntervalSinceNow) < 60)
        #expect(try store.chunks(path: path) == document.chunks)

        // Marks that any rewrite of the hash or the chunk list would erase.
        let connection = store.connection
        let chunkKey = store.keys.chunks(id: stored.id)
        try connection.command(["HSET", RedisArgument(store.keys.document(id: stored.id)), "probe", "1"])
        try connection.command(["LSET", RedisArgument(chunkKey), "0", "probe"])
        let score = try connection.command(["ZSCORE", RedisArgument(store.keys.documents), RedisArgument(stored.id)]).string
        usleep(5_000)

        #expect(try store.save(ingest(path), options: Self.small) == .unchanged)
        #expect(try store.document(path: path)?.ingestedAt == stored.ingestedAt)
        #expect(try connection.command(["HGET", RedisArgument(store.keys.document(id: stored.id)), "probe"]).string == "1")
        #expect(try connection.command(["LINDEX", RedisArgument(chunkKey), "0"]).string == "probe")
        #expect(try connection.command(["ZSCORE", RedisArgument(store.keys.documents), RedisArgument(stored.id)]).string == score)
    }

    @Test func editedFileReplacesEveryOldChunk() throws {
        let store = try makeStore()
        let directory = try TemporaryDirectory()
        let path = try directory.write("notes.txt", text: Self.longText)
        let first = try ingest(path)
        #expect(try store.save(first, options: Self.small) == .created)
        let before = try #require(try store.document(path: path))
        usleep(5_000)

        try directory.write("notes.txt", text: "Short now.")
        let second = try ingest(path)
        #expect(second.chunks.count == 1)
        #expect(try store.save(second, options: Self.small) == .updated(removedChunks: first.chunks.count))

        let after = try #require(try store.document(path: path))
        #expect(after.contentHash == second.contentHash)
        #expect(after.chunkCount == 1)
        #expect(after.ingestedAt > before.ingestedAt)
        #expect(try store.chunks(path: path).map(\.text) == ["Short now."])
        #expect(try store.connection.command(["LLEN", RedisArgument(store.keys.chunks(id: after.id))]).integer == 1)
    }

    @Test func changedChunkSettingsRechunkAnUnchangedFile() throws {
        let store = try makeStore()
        let directory = try TemporaryDirectory()
        let path = try directory.write("notes.txt", text: Self.longText)
        let first = try ingest(path)
        #expect(try store.save(first, options: Self.small) == .created)

        let wider = IngestionOptions(chunkSize: 120, chunkOverlap: 20)
        let second = try ingest(path, wider)
        #expect(second.chunks != first.chunks)
        #expect(try store.save(second, options: wider) == .updated(removedChunks: first.chunks.count))
        #expect(try store.chunks(path: path) == second.chunks)
        let stored = try #require(try store.document(path: path))
        #expect(stored.chunkSize == 120 && stored.chunkOverlap == 20 && stored.chunkCount == second.chunks.count)

        let sameSizeOtherOverlap = IngestionOptions(chunkSize: 120, chunkOverlap: 0)
        #expect(try store.save(ingest(path, sameSizeOtherOverlap), options: sameSizeOtherOverlap) == .updated(removedChunks: second.chunks.count))
    }

    @Test func emptyFileIsStoredWithZeroChunksAndDeletesEarlierChunks() throws {
        let store = try makeStore()
        let directory = try TemporaryDirectory()
        let path = try directory.write("page.txt", text: Self.longText)
        let first = try ingest(path)
        #expect(try store.save(first, options: Self.small) == .created)

        try directory.write("page.txt", bytes: [])
        let empty = try ingest(path)
        #expect(empty.chunks.isEmpty)
        #expect(try store.save(empty, options: Self.small) == .updated(removedChunks: first.chunks.count))
        let stored = try #require(try store.document(path: path))
        #expect(stored.chunkCount == 0 && stored.byteSize == 0)
        #expect(try store.chunks(path: path).isEmpty)
        #expect(try store.connection.command(["EXISTS", RedisArgument(store.keys.chunks(id: stored.id))]).integer == 0)
        #expect(try store.save(ingest(path), options: Self.small) == .unchanged)

        let neverFilled = try directory.write("blank.md", bytes: [])
        #expect(try store.save(ingest(neverFilled), options: Self.small) == .created)
        #expect(try store.document(path: neverFilled)?.chunkCount == 0)
    }

    @Test func twoKnowledgeBasesDoNotMix() throws {
        let first = try makeStore("kb-a")
        let second = try makeStore("kb-b")
        let directory = try TemporaryDirectory()
        let shared = try directory.write("shared.md", text: Self.longText)
        let onlyFirst = try directory.write("only.md", text: "Only in the first base.")

        #expect(try first.save(ingest(shared), options: Self.small) == .created)
        #expect(try first.save(ingest(onlyFirst), options: Self.small) == .created)
        let wide = IngestionOptions(chunkSize: 500, chunkOverlap: 0)
        #expect(try second.save(ingest(shared, wide), options: wide) == .created)

        #expect(try second.document(path: onlyFirst) == nil)
        #expect(try second.chunks(path: shared).count == 1)
        #expect(try first.chunks(path: shared).count > 1)
        func ids(_ store: DocumentStore) throws -> Set<String> {
            Set(try store.connection.command(["ZRANGE", RedisArgument(store.keys.documents), "0", "-1"]).array?.compactMap(\.string) ?? [])
        }
        #expect(try ids(first) == [DocumentStore.documentID(forPath: shared), DocumentStore.documentID(forPath: onlyFirst)])
        #expect(try ids(second) == [DocumentStore.documentID(forPath: shared)])

        #expect(try first.remove(path: shared))
        #expect(try first.document(path: shared) == nil)
        #expect(try second.document(path: shared)?.chunkCount == 1)
    }

    @Test func removeDeletesTheDocumentItsChunksAndItsIndexEntry() throws {
        let store = try makeStore()
        let directory = try TemporaryDirectory()
        let path = try directory.write("gone.md", text: Self.longText)
        #expect(try store.save(ingest(path), options: Self.small) == .created)
        let id = DocumentStore.documentID(forPath: path)

        #expect(try store.remove(path: path))
        #expect(try store.document(path: path) == nil)
        #expect(try store.chunks(path: path).isEmpty)
        let connection = store.connection
        #expect(try connection.command(["EXISTS", RedisArgument(store.keys.document(id: id)), RedisArgument(store.keys.chunks(id: id))]).integer == 0)
        #expect(try connection.command(["ZSCORE", RedisArgument(store.keys.documents), RedisArgument(id)]).isNull)
        #expect(try store.remove(path: path) == false)
        #expect(try store.save(ingest(path), options: Self.small) == .created)
    }

    @Test func chunksAreJSONObjectsThatReadBackExactly() throws {
        let store = try makeStore()
        let directory = try TemporaryDirectory()
        let text = "Quotes \"inside\", a back\\slash, tabs\tand café ☕️ 🇫🇷.\n\nSecond paragraph with 中文 text."
        let path = try directory.write("mixed.txt", text: text)
        let document = try ingest(path, IngestionOptions(chunkSize: 30, chunkOverlap: 5))
        #expect(try store.save(document, options: IngestionOptions(chunkSize: 30, chunkOverlap: 5)) == .created)

        let raw = try store.connection.command(["LRANGE", RedisArgument(store.keys.chunks(id: DocumentStore.documentID(forPath: path))), "0", "-1"])
        let items = try #require(raw.array)
        #expect(items.count == document.chunks.count)
        for (chunk, item) in zip(document.chunks, items) {
            guard case .bulk(let bytes) = item else { Issue.record("chunk \(chunk.index) is not a string"); continue }
            let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
            #expect(Set(object.keys) == ["index", "offset", "hash", "text"])
            #expect(object["text"] as? String == chunk.text)
            #expect(object["hash"] as? String == chunk.hash)
            #expect((object["offset"] as? NSNumber)?.intValue == chunk.offset)
            #expect((object["index"] as? NSNumber)?.intValue == chunk.index)
        }
        #expect(try store.chunks(path: path) == document.chunks)
    }

    @Test func chunkWhoseTextNoLongerMatchesItsHashIsReportedAsCorrupt() throws {
        let store = try makeStore()
        let directory = try TemporaryDirectory()
        let path = try directory.write("tampered.txt", text: Self.longText)
        let document = try ingest(path)
        #expect(try store.save(document, options: Self.small) == .created)
        let forged = #"{"index":0,"offset":0,"hash":"\#(document.chunks[0].hash)","text":"something else"}"#
        try store.connection.command(["LSET", RedisArgument(store.keys.chunks(id: DocumentStore.documentID(forPath: path))), "0", RedisArgument(forged)])

        do {
            let chunks = try store.chunks(path: path)
            Issue.record("expected a corrupt-record error, got \(chunks.count) chunks")
        } catch {
            #expect(error.code == .corruptRecord)
            #expect(error.message.contains("chunk 0"))
        }
    }

    @Test func knowledgeBaseNamesAreValidatedLikeQueueNames() throws {
        let connection = try TestRedis.connection()
        for bad in ["", "has space", "{tag}", "a:b", String(repeating: "k", count: 101), "é"] {
            do {
                _ = try DocumentStore(connection: connection, knowledgeBase: bad)
                Issue.record("'\(bad)' was accepted")
            } catch {
                #expect(error.code == .invalidKnowledgeBase)
            }
        }
        let store = try DocumentStore(connection: connection, knowledgeBase: "Docs.v2_x-1")
        #expect(store.keys.documents == "ingest:{Docs.v2_x-1}:docs")
        #expect(try DocumentStore(connection: connection).knowledgeBase == "default")
    }
}
