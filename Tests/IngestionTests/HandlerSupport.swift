import Foundation
import Ingestion
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

/// Runs a real worker loop with the built-in dispatcher on `queue` until it has run `jobs` jobs
/// (or found nothing to do for 2 s), and checks that it stopped because the jobs were done.
func runBuiltInWorker(on queue: Queue, jobs: Int, options: IngestionOptions = IngestionOptions(), sourceLocation: SourceLocation = #_sourceLocation) throws {
    var configuration = Worker.Configuration()
    configuration.maxJobs = jobs
    configuration.idleExit = .seconds(2)
    configuration.fetchWait = .milliseconds(250)
    let dispatcher = JobDispatcher.builtIn(queue: queue, options: options)
    let worker = Worker(queue: queue, configuration: configuration) { try dispatcher.handle($0) }
    #expect(try worker.run() == .maxJobs, "the worker ran out of jobs before running \(jobs)", sourceLocation: sourceLocation)
}

/// Whether the queue holds no job at all: none waiting, delayed, running or dead.
func isDrained(_ queue: Queue) throws -> Bool {
    let counts = try queue.counts()
    return counts.waiting == 0 && counts.delayed == 0 && counts.active == 0 && counts.dead == 0
}

/// Enqueues a job of `type` with a JSON payload and returns its id.
func enqueue(_ queue: Queue, _ type: String, _ payload: String) throws -> String {
    try queue.enqueue(payload: payload, options: EnqueueOptions(type: type)).id
}

/// The records of the jobs in the waiting list, oldest first.
func waitingJobs(_ queue: Queue) throws -> [JobRecord] {
    let entries = try queue.connection.command(["LRANGE", RedisArgument(queue.keys.wait), "0", "-1"]).array ?? []
    return try entries.reversed().compactMap { entry in
        // `@<id>`, or the id itself for a job waiting in compact form.
        guard let text = entry.string, text.hasPrefix("@") || queue.keys.compactRecord(of: text) != nil else { return nil }
        return try queue.job(id: text.hasPrefix("@") ? String(text.dropFirst()) : text)
    }
}

/// The `payload` member of a job's stored message, decoded as a JSON object.
func payloadObject(of record: JobRecord) throws -> [String: Any] {
    let message = try #require(try JSONSerialization.jsonObject(with: Data(record.body.utf8)) as? [String: Any])
    return try #require(message["payload"] as? [String: Any])
}

/// A JSON string literal for `text`.
func jsonString(_ text: String) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed, .withoutEscapingSlashes]), as: UTF8.self)
}
