import JobQueue
import Logging
import RedisClient

/// Runs `ingest.file` jobs: reads one file, normalises and chunks it, and saves it in its
/// knowledge base (see `docs/ingestion.md`).
///
/// An unchanged file (same content hash and chunk settings as stored) is recognised from its bytes
/// and hash alone: it is neither decoded nor chunked, and nothing is written.
struct IngestFileHandler: Sendable {
    /// The job type this handler runs.
    static let jobType = "ingest.file"

    /// The connection documents are stored over.
    let connection: RedisConnection
    /// The worker's ingestion options; a payload may override the chunk settings.
    let options: IngestionOptions
    let logger: Logger

    /// Runs one job; never throws: every failure becomes a retry or a dead letter.
    func handle(_ context: JobContext) -> JobResult {
        do {
            return try ingest(context)
        } catch {
            error.log(job: context.job, to: logger)
            return error.jobResult
        }
    }

    private func ingest(_ context: JobContext) throws(HandlerFailure) -> JobResult {
        let payload = try JobPayload.decode(IngestFilePayload.self, from: context.job)
        try JobPayload.requireNonEmpty(payload.path, "path")
        let store: DocumentStore
        do {
            store = try DocumentStore(connection: connection, knowledgeBase: payload.knowledgeBase ?? DocumentStore.defaultKnowledgeBase)
        } catch {
            throw HandlerFailure(error)
        }
        let jobOptions = options.overriding(chunkSize: payload.chunkSize, chunkOverlap: payload.chunkOverlap)
        let ingester: DocumentIngester
        let file: SourceFile
        do {
            ingester = try DocumentIngester(options: jobOptions)
            file = try SourceFile.load(path: payload.path, options: jobOptions)
        } catch {
            throw HandlerFailure(error)
        }

        try HandlerFailure.checkCancellation(context, before: "hashing \(file.path)")
        let contentHash = HexDigest.sha256(of: file.bytes)
        if try storage({ () throws(DocumentStoreError) in
            try store.holdsCurrentVersion(path: file.path, contentHash: contentHash, options: jobOptions)
        }) {
            logger.info("\(file.path): unchanged in knowledge base '\(store.knowledgeBase)'")
            return .completed
        }

        try HandlerFailure.checkCancellation(context, before: "chunking \(file.path)")
        let document: IngestedDocument
        do {
            document = try ingester.ingest(contents: file.bytes, path: file.path, modifiedAt: file.modifiedAt)
        } catch {
            throw HandlerFailure(error)
        }

        try HandlerFailure.checkCancellation(context, before: "saving \(file.path)")
        let outcome = try storage { () throws(DocumentStoreError) in try store.save(document, options: jobOptions) }
        let chunkCount = document.chunks.count
        logger.info("\(file.path): \(outcome) in knowledge base '\(store.knowledgeBase)', \(chunkCount) chunk\(chunkCount == 1 ? "" : "s")")
        return .completed
    }

    private func storage<T>(_ body: () throws(DocumentStoreError) -> T) throws(HandlerFailure) -> T {
        do {
            return try body()
        } catch {
            throw HandlerFailure(error)
        }
    }
}
