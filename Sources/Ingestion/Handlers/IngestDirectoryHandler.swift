import Foundation
import JobQueue
import Logging

/// Runs `ingest.dir` jobs: scans a directory and enqueues one `ingest.file` job per matching file
/// on the same queue (see `docs/ingestion.md`).
///
/// Each file job carries the unique key `ingest.file:<kb>:<path>`, so a file whose job is still
/// waiting, delayed or running is not queued a second time.
struct IngestDirectoryHandler: Sendable {
    /// The job type this handler runs.
    static let jobType = "ingest.dir"
    /// How many file jobs one ``Queue/enqueue(batch:)`` call carries (one pipelined round trip).
    static let batchSize = 1000
    /// The longest unique key the queue accepts, in UTF-8 bytes.
    static let maxUniqueKeyBytes = 200

    /// The queue the worker runs, which the file jobs go to.
    let queue: Queue
    /// The worker's ingestion options; the payload may override extensions and chunk settings.
    let options: IngestionOptions
    let logger: Logger

    /// Runs one job; never throws: every failure becomes a retry or a dead letter.
    func handle(_ context: JobContext) -> JobResult {
        do {
            return try fanOut(context)
        } catch {
            error.log(job: context.job, to: logger)
            return error.jobResult
        }
    }

    /// The unique key of the `ingest.file` job for `path`: `ingest.file:<kb>:<path>`, or, when that
    /// is longer than the queue allows, `ingest.file:<kb>:sha256:<SHA-256 of the path>`.
    static func uniqueKey(knowledgeBase: String, path: String) -> String {
        let key = "\(IngestFileHandler.jobType):\(knowledgeBase):\(path)"
        if key.utf8.count <= maxUniqueKeyBytes { return key }
        return "\(IngestFileHandler.jobType):\(knowledgeBase):sha256:\(HexDigest.sha256(of: path))"
    }

    private func fanOut(_ context: JobContext) throws(HandlerFailure) -> JobResult {
        let payload = try JobPayload.decode(IngestDirectoryPayload.self, from: context.job)
        try JobPayload.requireNonEmpty(payload.path, "path")
        let knowledgeBase = payload.knowledgeBase ?? DocumentStore.defaultKnowledgeBase
        do {
            _ = try DocumentKeys(knowledgeBase: knowledgeBase)
        } catch {
            throw HandlerFailure(error)
        }
        var scanOptions = options.overriding(chunkSize: payload.chunkSize, chunkOverlap: payload.chunkOverlap)
        if let extensions = payload.extensions {
            guard !extensions.isEmpty else { throw .badPayload("\"extensions\" must list at least one extension") }
            guard !extensions.contains(where: \.isEmpty) else { throw .badPayload("\"extensions\" must not contain an empty string") }
            scanOptions.allowedExtensions = Set(extensions)
        }
        let files: [String]
        do {
            try scanOptions.validate()
            files = try DirectoryScan.files(in: payload.path, options: scanOptions)
        } catch {
            throw HandlerFailure(error)
        }

        var enqueued = 0
        context.reportProgress(done: 0, total: files.count, message: "files")
        for start in stride(from: 0, to: files.count, by: Self.batchSize) {
            try HandlerFailure.checkCancellation(context, before: "enqueueing files \(start + 1) to \(files.count)")
            let batch = try files[start..<min(start + Self.batchSize, files.count)].map { (path) throws(HandlerFailure) in
                try fileJob(path: path, knowledgeBase: knowledgeBase, payload: payload)
            }
            do {
                let results = try queue.enqueue(batch: batch)
                enqueued += results.count { if case .enqueued = $0 { true } else { false } }
                context.reportProgress(done: start + batch.count, total: files.count, message: "files")
            } catch let error as JobQueueError {
                throw HandlerFailure(error)
            } catch {
                throw HandlerFailure(code: .enqueue, message: "enqueueing failed: \(error)", retryable: true)
            }
        }
        let summary = "\(files.count) matching files, \(enqueued) enqueued, \(files.count - enqueued) already queued"
        logger.info("\(payload.path): \(summary)")
        context.setResult(summary)
        return .completed
    }

    private func fileJob(path: String, knowledgeBase: String, payload: IngestDirectoryPayload) throws(HandlerFailure) -> NewJob {
        let filePayload = IngestFilePayload(path: path, knowledgeBase: knowledgeBase, chunkSize: payload.chunkSize, chunkOverlap: payload.chunkOverlap)
        let json: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            json = try encoder.encode(filePayload)
        } catch {
            throw HandlerFailure(code: .enqueue, message: "cannot encode the \(IngestFileHandler.jobType) payload for \(path): \(error)", retryable: false)
        }
        return NewJob(
            payload: String(decoding: json, as: UTF8.self),
            options: EnqueueOptions(type: IngestFileHandler.jobType, uniqueKey: Self.uniqueKey(knowledgeBase: knowledgeBase, path: path))
        )
    }
}
