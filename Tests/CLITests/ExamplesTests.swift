import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

/// The scripts in `Examples/`, run for real against the test Redis with the built binaries.
@Suite("Example scripts") struct ExamplesTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-examples-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    private func write(_ text: String, to relative: String) throws -> String {
        let url = directory.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private var resultsPath: String { directory.appendingPathComponent("results.jsonl").path }

    /// The result lines `ingest.py` appended, decoded.
    private func results() -> [[String: Any]] {
        let text = (try? String(contentsOfFile: resultsPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    private func enqueueShell(_ queue: Queue, _ arguments: [String]) throws -> ProgramRun {
        try Program.run(
            "/bin/bash", [Repository.path("Examples/enqueue.sh"), queue.name.rawValue] + arguments,
            environment: ["PATH": Program.systemPath, "JOBQ": Binaries.path("jobq"), "JOBQ_REDIS_URL": try TestRedis.url()])
    }

    private func enqueuePython(_ queue: Queue, _ arguments: [String]) throws -> [String] {
        let python = try #require(Python.interpreter)
        let run = try Program.run(
            python, [Repository.path("Examples/enqueue.py"), queue.name.rawValue] + arguments,
            environment: ["PATH": Program.systemPath, "JOBQ_REDIS_URL": try TestRedis.url()])
        try #require(run.status == 0, "enqueue.py failed: \(run.errors)")
        return run.output.split(separator: "\n").map(String.init)
    }

    /// `ingest-worker --queue Q ARGS -- python3 Examples/python-worker/ingest.py`, with INGEST_RESULTS set.
    private func startPythonWorker(_ queue: Queue, _ arguments: [String]) throws -> Process {
        let python = try #require(Python.interpreter)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.path("ingest-worker"))
        process.arguments = ["--queue", queue.name.rawValue] + arguments + ["--", python, Repository.path("Examples/python-worker/ingest.py")]
        process.environment = ["PATH": Program.systemPath, "JOBQ_REDIS_URL": try TestRedis.url(), "INGEST_RESULTS": resultsPath]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits for a worker started by a test, killing it if it outlives `timeout`.
    private func finish(_ worker: Process, within timeout: Duration = .seconds(15)) throws {
        if !eventually(timeout: timeout, { !worker.isRunning }) {
            kill(worker.processIdentifier, SIGKILL)
            worker.waitUntilExit()
            throw TestFailure("ingest-worker did not exit within \(timeout)")
        }
        worker.waitUntilExit()
    }

    @Test func enqueueShellScriptQueuesEachVisibleFileOnceWithItsUniqueKey() throws {
        let queue = try TestRedis.queue()
        let files = [
            try write("alpha\n", to: "kb/a.txt"),
            try write("beta\n", to: #"kb/sub/b "quoted" \ back.md"#),
            try write("gamma\n", to: "kb/sub/deeper/c.html"),
        ]
        _ = try write("hidden\n", to: "kb/.hidden.txt")
        _ = try write("hidden\n", to: "kb/.git/config")
        let folder = directory.appendingPathComponent("kb").resolvingSymlinksInPath().path

        let first = try enqueueShell(queue, [folder])
        #expect(first.status == 0, "enqueue.sh failed: \(first.errors)")
        #expect(first.output.contains("enqueued 3, already queued 0"))
        #expect(try queue.counts().waiting == 3, "hidden files and directories are skipped")

        let lines = first.output.split(separator: "\n").dropLast()
        #expect(lines.count == 3)
        for line in lines {
            let id = String(try #require(line.split(separator: " ").first))
            let record = try #require(try queue.job(id: id))
            #expect(record.type == "ingest.file")
            let message = try #require(try JSONSerialization.jsonObject(with: Data(record.body.utf8)) as? [String: Any])
            let payload = try #require(message["payload"] as? [String: Any])
            let path = try #require(payload["path"] as? String)
            #expect(files.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }.contains(path), "payload path \(path) is a file's absolute path, JSON-escaped intact")
            #expect(payload["kb"] as? String == "default")
            #expect(record.uniqueKey == "ingest.file:default:\(path)")
        }

        let second = try enqueueShell(queue, [folder])
        #expect(second.status == 0, "enqueue.sh failed: \(second.errors)")
        #expect(second.output.contains("enqueued 0, already queued 3"))
        #expect(try queue.counts().waiting == 3, "a second run queues nothing twice")
    }

    @Test func enqueueShellScriptRefusesAMissingDirectory() throws {
        let queue = try TestRedis.queue()
        let run = try enqueueShell(queue, [directory.appendingPathComponent("absent").path])
        #expect(run.status == 1)
        #expect(run.errors.contains("is not a directory"))
        #expect(try queue.counts().waiting == 0)
    }

    @Test(.enabled(if: Python.hasRedisClient, "needs python3 with redis-py (pip install redis)"))
    func pythonEnqueuedJobsAreRunByIngestWorkerThroughTheExampleScript() throws {
        let queue = try TestRedis.queue()
        let first = try write("one two three\nfour\n", to: "in/first.txt")
        let second = try write("ünïcode wörds here\n", to: "in/second.md")
        let ids = try enqueuePython(queue, [first, second])
        #expect(ids.count == 2)

        // A plain LPUSH of the wire format: the raw messages sit in the waiting list.
        let raw = try queue.connection.command(["LRANGE", RedisArgument("jobq:{\(queue.name.rawValue)}:wait"), "0", "-1"])
        let messages = try (raw.array ?? []).compactMap(\.string).map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(messages.count == 2)
        #expect(messages.allSatisfy { $0["type"] as? String == "ingest.file" && $0["payload"] is [String: Any] })
        #expect(Set(messages.compactMap { $0["id"] as? String }) == Set(ids))

        try queue.keepCompleted(RetentionLimit.parse("1h/10"))
        let worker = try startPythonWorker(queue, ["--max-jobs", "2"])
        try finish(worker)
        #expect(worker.terminationStatus == 0)
        // What the script wrote to JOBQ_RESULT_FD is kept with each completed job.
        #expect(try queue.job(id: ids[0])?.result == "2 lines, 4 words, 19 bytes")
        #expect(try queue.job(id: ids[1])?.state == .completed)

        let lines = results()
        #expect(lines.count == 2)
        let byJob = Dictionary(lines.compactMap { line in (line["job"] as? String).map { ($0, line) } }, uniquingKeysWith: { $1 })
        let firstResult = try #require(byJob[ids[0]])
        #expect(firstResult["path"] as? String == first)
        #expect(firstResult["words"] as? Int == 4)
        #expect(firstResult["lines"] as? Int == 2)
        #expect(firstResult["attempt"] as? Int == 1)
        let secondResult = try #require(byJob[ids[1]])
        #expect(secondResult["words"] as? Int == 3)
        #expect(secondResult["bytes"] as? Int == "ünïcode wörds here\n".utf8.count)
        let counts = try queue.counts()
        #expect(counts.waiting == 0 && counts.delayed == 0 && counts.active == 0 && counts.dead == 0, "both jobs were acknowledged")
    }

    @Test(.enabled(if: Python.hasRedisClient, "needs python3 with redis-py (pip install redis)"))
    func badInputIsDeadLetteredWithTheScriptsMessage() throws {
        let queue = try TestRedis.queue()
        let missing = directory.appendingPathComponent("no-such-file.txt").path
        let missingID = try #require(try enqueuePython(queue, [missing, "--max-attempts", "1"]).first)
        // A payload without a usable path, pushed as any producer could.
        let badPath = #"{"payload": {"path": 42}, "type": "ingest.file", "id": "bad-path", "max_attempts": 1}"#
        _ = try queue.connection.command(["LPUSH", RedisArgument("jobq:{\(queue.name.rawValue)}:wait"), RedisArgument(badPath)])

        let worker = try startPythonWorker(queue, ["--max-jobs", "2"])
        try finish(worker)

        let missingRecord = try #require(try queue.job(id: missingID))
        #expect(missingRecord.state == .dead)
        let missingError = try #require(missingRecord.lastError)
        #expect(missingError.contains("exit status 1"))
        #expect(missingError.contains("ingest.py: no file at \(missing)"), "the script's stderr is kept: \(missingError)")

        let badRecord = try #require(try queue.job(id: "bad-path"))
        #expect(badRecord.state == .dead)
        #expect(badRecord.lastError?.contains("ingest.py: bad payload: 'path' must be a non-empty string, got 42") == true)
        #expect(results().isEmpty, "nothing was written for bad input")
    }

    @Test(.enabled(if: Python.hasRedisClient, "needs python3 with redis-py (pip install redis)"))
    func lockedInputIsRetriedLaterWithoutSpendingAnAttempt() throws {
        let queue = try TestRedis.queue()
        let file = try write("locked words\n", to: "in/locked.txt")
        let lock = try write("", to: "in/locked.txt.lock")
        // One attempt only: if exit 75 used it up, the job would be dead after the first run.
        let id = try #require(try enqueuePython(queue, [file, "--max-attempts", "1"]).first)

        let worker = try startPythonWorker(queue, ["--tempfail-delay", "1s", "--idle-exit", "3s"])
        let delayed = eventually(timeout: .seconds(10)) { ((try? queue.job(id: id)) ?? nil)?.state == .delayed }
        #expect(delayed, "exit 75 put the job back for later")
        let record = try #require(try queue.job(id: id))
        #expect(record.attempts == 0, "exit 75 does not count an attempt")
        #expect(record.lastError == nil)
        #expect(results().isEmpty)

        try FileManager.default.removeItem(atPath: lock)
        try finish(worker)
        #expect(worker.terminationStatus == 0)
        let lines = results()
        #expect(lines.count == 1)
        #expect(lines.first?["job"] as? String == id)
        #expect(lines.first?["words"] as? Int == 2)
        #expect(lines.first?["attempt"] as? Int == 1, "the run after the retry is still the first attempt")
        #expect(try queue.job(id: id) == nil, "done once the lock was gone")
    }
}
