import Foundation
@testable import JobQueue
import JobqTestSupport
import RedisClient
import Synchronization
import Testing

/// Progress a handler reports while it runs: saved with the job, shown by show and stats.
@Suite("Job progress") struct ProgressTests {
    /// Runs `worker` on a thread of its own until it returns.
    private func start(_ worker: Worker) -> DispatchSemaphore {
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = try? worker.run()
            finished.signal()
        }
        return finished
    }

    private func oneJobWorker(_ queue: Queue, handler: @escaping Worker.Handler) -> Worker {
        var configuration = Worker.Configuration()
        configuration.maxJobs = 1
        configuration.heartbeatInterval = .milliseconds(200)
        return Worker(queue: queue, configuration: configuration, handler: handler)
    }

    @Test func aSwiftHandlersProgressIsSavedWithTheRunningJobAndShownByStats() throws {
        let queue = try TestRedis.queue()
        try queue.keepCompleted(RetentionLimit.parse("1h/10"))
        let id = try queue.enqueue(payload: "1").id
        let release = DispatchSemaphore(value: 0)
        let worker = oneJobWorker(queue) { context in
            context.reportProgress(done: 3, total: 10, message: "files")
            release.wait()
            context.reportProgress(done: 10, total: 10, message: "files")
            return .completed
        }
        let finished = start(worker)
        #expect(try eventually { try queue.job(id: id)?.progress == JobProgress(done: 3, total: 10, message: "files") })
        let record = try #require(try queue.job(id: id))
        #expect(record.state == .active && record.progressAt != nil)
        #expect(try eventually {
            try queue.stats().workers.contains { $0.job == id && $0.progress?.description == "3/10 files" }
        })
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(try queue.stats().workers), as: UTF8.self)
        #expect(json.contains(#""progress":{"done":3,"message":"files","total":10}"#))
        release.signal()
        #expect(finished.wait(timeout: .now() + 10) == .success)
        // The last report rides in the ack: the completed job shows where it ended.
        #expect(try queue.job(id: id)?.progress == JobProgress(done: 10, total: 10, message: "files"))
    }

    @Test func anEarlierAttemptsProgressIsNeitherShownForTheRetryNorKeptWithItsCompletion() throws {
        var configuration = Queue.Configuration()
        configuration.retryBackoff = Backoff(base: .milliseconds(1), cap: .milliseconds(1))
        let queue = try TestRedis.queue(configuration: configuration)
        try queue.keepCompleted(RetentionLimit.parse("1h/10"))
        let id = try queue.enqueue(payload: "1").id
        let release = DispatchSemaphore(value: 0)
        var workerConfiguration = Worker.Configuration()
        workerConfiguration.maxJobs = 2
        workerConfiguration.heartbeatInterval = .milliseconds(200)
        let worker = Worker(queue: queue, configuration: workerConfiguration) { context in
            guard context.job.attempt > 1 else {
                context.reportProgress(done: 3, total: 10, message: "files")
                _ = try? eventually { try queue.job(id: id)?.progress != nil }
                return .failed("first attempt")
            }
            release.wait()
            return .completed
        }
        let finished = start(worker)
        // The second run reports nothing: stats shows the job running without the first run's progress.
        #expect(try eventually { try queue.stats().workers.contains { $0.job == id } && queue.job(id: id)?.attempts == 2 })
        #expect(try queue.job(id: id)?.progress != nil)
        #expect(try queue.stats().workers.first { $0.job == id }?.progress == nil)
        release.signal()
        #expect(finished.wait(timeout: .now() + 10) == .success)
        let record = try #require(try queue.job(id: id))
        #expect(record.state == .completed && record.progress == nil && record.progressAt == nil)
    }

    @Test func progressIsSavedAtMostOnceASecondHoweverOftenItIsReported() throws {
        let queue = try TestRedis.queue()
        let id = try queue.enqueue(payload: "1").id
        let worker = oneJobWorker(queue) { context in
            let end = ContinuousClock.now + .milliseconds(2600)
            var n = 0
            while ContinuousClock.now < end {
                n += 1
                context.reportProgress(done: n)
                usleep(1000)
            }
            return .completed
        }
        let finished = start(worker)
        var saves: [Int64] = []
        let end = ContinuousClock.now + .milliseconds(2500)
        while ContinuousClock.now < end {
            if let at = try queue.job(id: id)?.progressAt, saves.last != at { saves.append(at) }
            usleep(20_000)
        }
        #expect(finished.wait(timeout: .now() + 10) == .success)
        #expect(saves.count >= 2 && saves.count <= 4, "\(saves)")
        // Saves a second apart by the worker's clock; stamped by Redis on arrival, so a loaded host's
        // delivery jitter shows in the gaps. Saving on every report would put them milliseconds apart.
        for (earlier, later) in zip(saves, saves.dropFirst()) { #expect(later - earlier >= 500, "\(saves)") }
    }

    @Test func aCommandReportsProgressThroughItsProgressDescriptor() throws {
        let queue = try TestRedis.queue()
        let id = try queue.enqueue(payload: "1").id
        let handler = try CommandHandler(configuration: .init(command: [
            "/bin/sh", "-c",
            #"cat >/dev/null; echo "1/5 files" >&"$JOBQ_PROGRESS_FD"; echo "2/5 files" >&3; sleep 1.5; echo '{"done":4,"total":5,"message":"almost"}' >&3; sleep 1.5"#,
        ]))
        let finished = start(oneJobWorker(queue) { handler.handle($0) })
        #expect(try eventually { try queue.job(id: id)?.progress == JobProgress(done: 2, total: 5, message: "files") })
        #expect(try eventually { try queue.job(id: id)?.progress == JobProgress(done: 4, total: 5, message: "almost") })
        #expect(try queue.stats().workers.first { $0.job == id }?.progress?.done == 4)
        #expect(finished.wait(timeout: .now() + 10) == .success)
    }

    @Test func progressLinesAreReadAsDocumented() {
        #expect(JobProgress.parse(line: "3/10 files") == JobProgress(done: 3, total: 10, message: "files"))
        #expect(JobProgress.parse(line: "  45%  uploading\n") == JobProgress(done: 45, total: 100, message: "uploading"))
        #expect(JobProgress.parse(line: #"{"done": 7, "message": "rows"}"#) == JobProgress(done: 7, message: "rows"))
        #expect(JobProgress.parse(line: #"{"done": -1, "total": 1.5}"#) == nil)
        #expect(JobProgress.parse(line: "resizing images") == JobProgress(message: "resizing images"))
        #expect(JobProgress.parse(line: "3/x files") == JobProgress(message: "3/x files"))
        #expect(JobProgress.parse(line: "   ") == nil)
        #expect(JobProgress(message: String(repeating: "é", count: 150)).message?.utf8.count == 200)
        #expect(JobProgress.lastLine(of: Array("1/3\n2/3\n3/".utf8)) == JobProgress(done: 2, total: 3))
        #expect(JobProgress.lastLine(of: Array("partial".utf8)) == nil)
        #expect(JobProgress(done: 2, total: 3, message: "files").description == "2/3 files")
    }
}
