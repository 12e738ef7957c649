import Foundation
import RedisClient

/// The documents of one knowledge base, stored in Redis: per document a metadata hash and a list
/// of its chunks, plus an index of document ids (keys in ``DocumentKeys``, documented in
/// `docs/ingestion.md`).
///
/// A document is identified by its path: its id is the SHA-256 of the absolute, standardised path.
/// Saving is idempotent: a document whose content hash and chunk settings match the stored version
/// writes nothing. Every write is one Lua script, so readers never see half a document.
///
/// Methods are synchronous and block on the network: call them from a thread of your own, never
/// from Swift's cooperative pool.
public struct DocumentStore: Sendable {
    /// The knowledge base used when a job names none.
    public static let defaultKnowledgeBase = "default"

    /// The connection documents are read and written on.
    public let connection: RedisConnection
    /// The keys of this knowledge base.
    public let keys: DocumentKeys

    /// The knowledge base's name.
    public var knowledgeBase: String { keys.knowledgeBase }

    /// Creates a handle on a knowledge base; does no I/O.
    /// - Parameters:
    ///   - connection: The Redis connection to use.
    ///   - knowledgeBase: 1 to 100 characters from `A-Z a-z 0-9 . _ -`. Default `default`.
    /// - Throws: ``DocumentStoreError`` with code ``DocumentStoreError/Code/invalidKnowledgeBase``.
    public init(connection: RedisConnection, knowledgeBase: String = DocumentStore.defaultKnowledgeBase) throws(DocumentStoreError) {
        self.connection = connection
        self.keys = try DocumentKeys(knowledgeBase: knowledgeBase)
    }

    /// The id of the document read from `path`: the SHA-256 of the standardised path, as 64
    /// lowercase hexadecimal characters. Relative paths are taken from the working directory.
    public static func documentID(forPath path: String) -> String {
        HexDigest.sha256(of: PathName.standardised(path))
    }

    /// Stores a document and its chunks, replacing any earlier version, in one atomic script.
    ///
    /// Nothing is written when the stored version has the same content hash, chunk size and chunk
    /// overlap. A document with no chunks is stored with `chunk_count` 0 (and deletes the chunks of
    /// an earlier version).
    /// - Parameters:
    ///   - document: The document, as ``DocumentIngester`` made it.
    ///   - options: The options it was chunked with; their chunk size and overlap are stored.
    /// - Returns: Whether the document was created, updated or left unchanged.
    /// - Throws: ``DocumentStoreError`` with code `redis` or `unexpectedReply`.
    public func save(_ document: IngestedDocument, options: IngestionOptions) throws(DocumentStoreError) -> SaveOutcome {
        let path = PathName.standardised(document.sourcePath)
        let id = Self.documentID(forPath: path)
        var arguments: [RedisArgument] = [
            RedisArgument(id), RedisArgument(document.contentHash),
            RedisArgument(options.chunkSize), RedisArgument(options.chunkOverlap),
            RedisArgument(path), RedisArgument(document.title), RedisArgument(document.format.rawValue),
            RedisArgument(document.byteSize), RedisArgument(String(document.modifiedAt.millisecondsSince1970)),
        ]
        arguments.reserveCapacity(SaveDocumentScript.fixedArgumentCount + document.chunks.count)
        for chunk in document.chunks {
            arguments.append(RedisArgument(bytes: ChunkJSON.encode(chunk)))
        }
        let reply = try redis("saving \(path)") {
            try connection.run(SaveDocumentScript.script, keys: scriptKeys(id: id), arguments: arguments)
        }
        guard let parts = reply.array, parts.count == 2, let status = parts[0].string, let removed = parts[1].integer else {
            throw unexpected(reply, from: "save-document")
        }
        switch status {
        case "created": return .created
        case "updated": return .updated(removedChunks: Int(removed))
        case "unchanged": return .unchanged
        default: throw unexpected(reply, from: "save-document")
        }
    }

    /// The stored metadata of the document read from `path`, or `nil` when none is stored.
    /// - Throws: ``DocumentStoreError`` with code `redis`, or `corruptRecord` when the hash lacks a field.
    public func document(path: String) throws(DocumentStoreError) -> StoredDocument? {
        let id = Self.documentID(forPath: path)
        let key = keys.document(id: id)
        let reply = try redis("reading \(key)") { try connection.command(["HGETALL", RedisArgument(key)]) }
        let fields = Self.fields(of: reply)
        if fields.isEmpty { return nil }
        guard let document = StoredDocument(id: id, fields: fields) else {
            throw DocumentStoreError(code: .corruptRecord, message: "the document hash \(key) lacks a field or has a malformed one; ingest the file again to rewrite it")
        }
        return document
    }

    /// The stored chunks of the document read from `path`, in order; empty when the document has
    /// no chunks or is not stored.
    /// - Throws: ``DocumentStoreError`` with code `redis`, or `corruptRecord` for a chunk that is
    ///   not valid JSON, is out of place, or whose hash does not match its text.
    public func chunks(path: String) throws(DocumentStoreError) -> [Chunk] {
        let key = keys.chunks(id: Self.documentID(forPath: path))
        let reply = try redis("reading \(key)") { try connection.command(["LRANGE", RedisArgument(key), "0", "-1"]) }
        guard let items = reply.array else { throw unexpected(reply, from: "LRANGE") }
        var chunks: [Chunk] = []
        chunks.reserveCapacity(items.count)
        for (position, item) in items.enumerated() {
            guard case .bulk(let bytes) = item else { throw unexpected(item, from: "LRANGE") }
            chunks.append(try ChunkJSON.decode(bytes, position: position, key: key))
        }
        return chunks
    }

    /// Deletes the document read from `path`, with its chunks and index entry, in one atomic script.
    /// - Returns: `true` when a document was stored and is now deleted.
    /// - Throws: ``DocumentStoreError`` with code `redis`.
    @discardableResult
    public func remove(path: String) throws(DocumentStoreError) -> Bool {
        let id = Self.documentID(forPath: path)
        let reply = try redis("removing \(PathName.standardised(path))") {
            try connection.run(RemoveDocumentScript.script, keys: scriptKeys(id: id), arguments: [RedisArgument(id)])
        }
        return reply.integer == 1
    }

    /// Whether the stored version of the document at `path` has this content hash and the chunk
    /// settings of `options`, so saving it again would write nothing. Lets a caller skip decoding
    /// and chunking an unchanged file; ``save(_:options:)`` checks again atomically.
    func holdsCurrentVersion(path: String, contentHash: String, options: IngestionOptions) throws(DocumentStoreError) -> Bool {
        let key = keys.document(id: Self.documentID(forPath: path))
        let reply = try redis("reading \(key)") {
            try connection.command(["HMGET", RedisArgument(key), "content_hash", "chunk_size", "chunk_overlap"])
        }
        let stored = reply.array?.map(\.string) ?? []
        return stored == [contentHash, String(options.chunkSize), String(options.chunkOverlap)]
    }

    private func scriptKeys(id: String) -> [String] {
        [keys.documents, keys.document(id: id), keys.chunks(id: id)]
    }

    private func redis<T>(_ action: String, _ body: () throws -> T) throws(DocumentStoreError) -> T {
        do {
            return try body()
        } catch let error as RedisError {
            throw DocumentStoreError(code: .redis, message: "\(action) in knowledge base '\(knowledgeBase)' failed: \(error.message)", redisError: error)
        } catch {
            throw DocumentStoreError(code: .redis, message: "\(action) in knowledge base '\(knowledgeBase)' failed: \(error)")
        }
    }

    private func unexpected(_ reply: RedisReply, from source: String) -> DocumentStoreError {
        DocumentStoreError(code: .unexpectedReply, message: "\(source) answered \(Self.summary(of: reply)) in knowledge base '\(knowledgeBase)', which this version does not understand")
    }

    /// A short rendering of a reply for error messages: shapes and sizes, not contents.
    private static func summary(of reply: RedisReply) -> String {
        switch reply {
        case .status(let text): "status \(text.prefix(80))"
        case .integer(let value): "integer \(value)"
        case .bulk(let bytes): "a \(bytes.count)-byte string"
        case .null: "nil"
        case .array(let items): "an array of \(items.count)"
        case .error(let text): "error \(text.prefix(80))"
        }
    }

    private static func fields(of reply: RedisReply) -> [String: String] {
        guard let items = reply.array else { return [:] }
        var fields: [String: String] = [:]
        for pair in stride(from: 0, to: items.count - 1, by: 2) {
            if let name = items[pair].string, let value = items[pair + 1].string { fields[name] = value }
        }
        return fields
    }
}
