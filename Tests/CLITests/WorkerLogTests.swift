import Foundation
import JobQueue
import JobqTestSupport
import Testing

/// `ingest-worker`'s log is written for people: attempts, waits and times in words, errors on
/// one line, never Swift's description of an enum.
@Suite("ingest-worker log lines") struct WorkerLogTests {
    private func runWorker(_ queue: Queue, _ arguments: [String]) throws -> CommandRun {
        try CommandRun.run("ingest-worker", ["--queue", queue.name.rawValue] + arguments, environment: ["JOBQ_REDIS_URL": try TestRedis.url()])
    }

    @Test func aFailedRunLogsTheRetryWaitAndTheDeadLetterInWords() throws {
        let queue = try TestRedis.queue()
        let id = try queue.enqueue(payload: "1", options: EnqueueOptions(maxAttempts: 2)).id
        let script = ["--", "/bin/sh", "-c", "echo 'first line' >&2; echo boom >&2; exit 3"]
        let first = try runWorker(queue, ["--max-jobs", "1"] + script)
        #expect(first.status == 0)
        let retry = try #require(first.standardError.split(separator: "\n").first { $0.contains("job \(id) failed") })
        #expect(retry.contains("failed on attempt 1 of 2: "))
        #expect(retry.contains(#"first line\nboom"#), "the error is one escaped line")
        #expect(retry.range(of: #"; retry in [0-9.]+s \(attempt 2 of 2, at 20[0-9-]+T[0-9:]+Z\)$"#, options: .regularExpression) != nil, "\(retry)")

        let second = try runWorker(queue, ["--max-jobs", "1"] + script)
        #expect(second.status == 0)
        let dead = try #require(second.standardError.split(separator: "\n").first { $0.contains("job \(id) failed") })
        #expect(dead.contains("failed on attempt 2 of 2 and was dead-lettered: failed 2 of 2 attempts: "))
        #expect(dead.hasSuffix(#"first line\nboom"#), "\(dead)")
        for log in [first.standardError, second.standardError] {
            #expect(!log.contains("retryScheduled") && !log.contains("deadLettered("), "no Swift internals in \(log)")
            #expect(!log.split(separator: "\n").contains("boom"), "no log line is a bare continuation")
        }
    }

    /// Under systemd, stderr is the journal (JOURNAL_STREAM names it), which stamps every line
    /// itself: the worker's lines then carry a syslog priority instead of a timestamp of their own.
    @Test func whenStderrIsTheJournalLinesCarryAPriorityAndNoTimestamp() throws {
        for toJournal in [false, true] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Binaries.path("ingest-worker"))
            // Nothing listens on port 1: the worker logs that Redis is unreachable, then exits idle.
            process.arguments = ["--queue", "journal-log", "--idle-exit", "1s", "--redis", "redis://127.0.0.1:1/0"]
            let errors = Pipe()
            var info = stat()
            #expect(fstat(errors.fileHandleForWriting.fileDescriptor, &info) == 0)
            process.environment = ["PATH": "/usr/bin:/bin"].merging(toJournal ? ["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino)"] : [:]) { $1 }
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            try errors.fileHandleForWriting.close()
            let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let lines = log.split(separator: "\n")
            #expect(!lines.isEmpty, "the worker logged something")
            for line in lines {
                let stamped = line.range(of: #"^20[0-9]{2}-[0-9]{2}-[0-9]{2}T"#, options: .regularExpression) != nil
                let prioritised = line.range(of: #"^<[2-7]>(warning|error|info|notice|debug|critical|trace) "#, options: .regularExpression) != nil
                #expect(toJournal ? (prioritised && !stamped) : (stamped && !prioritised), "\(toJournal ? "journal" : "plain"): \(line)")
            }
        }
    }
}
