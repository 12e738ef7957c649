import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

/// `Examples/python-worker/persistent.py` run for real by `ingest-worker --persistent`.
@Suite("Example: a long-lived Python job process") struct ExamplesPersistentTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-persistent-example-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    private func write(_ text: String, to name: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test(.enabled(if: Python.interpreter != nil, "needs python3"))
    func theExampleRunsEveryJobInOneProcessAndAnswersEachKind() throws {
        let python = try #require(Python.interpreter)
        let queue = try TestRedis.queue()
        try queue.keepCompleted(RetentionLimit.parse("1h/10"))
        let first = try write("one two three\nfour\n", to: "first.txt")
        let second = try write("ünïcode wörds\n", to: "second.md")
        let locked = try write("busy\n", to: "locked.txt")
        _ = try write("", to: "locked.txt.lock")
        let missing = directory.appendingPathComponent("absent.txt").path
        func enqueue(_ payload: String, attempts: Int = 5) throws -> String {
            try queue.enqueue(payload: payload, options: EnqueueOptions(type: "ingest.file", maxAttempts: attempts)).id
        }
        func pathPayload(_ path: String) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: ["path": path], options: [.withoutEscapingSlashes]), as: UTF8.self)
        }
        let ids = [try enqueue(pathPayload(first)), try enqueue(pathPayload(second))]
        let lockedID = try enqueue(pathPayload(locked))
        let missingID = try enqueue(pathPayload(missing), attempts: 1)
        let badID = try enqueue(#"{"path": 42}"#)

        let results = directory.appendingPathComponent("results.jsonl").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.path("ingest-worker"))
        process.arguments = [
            "--queue", queue.name.rawValue, "--persistent", "--max-jobs", "5", "--", python, Repository.path("Examples/python-worker/persistent.py"),
        ]
        process.environment = [
            "PATH": Program.systemPath, "JOBQ_REDIS_URL": try TestRedis.url(), "INGEST_RESULTS": results, "SETUP_SECONDS": "0.3",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        if !eventually(timeout: .seconds(30), { !process.isRunning }) {
            kill(process.processIdentifier, SIGKILL)
            throw TestFailure("ingest-worker did not exit within 30 s")
        }
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        let records = ((try? String(contentsOfFile: results, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(records.map { $0["id"] as? String } == ids)
        #expect(records.first?["words"] as? Int == 4 && records.last?["words"] as? Int == 2)
        #expect(Set(records.compactMap { $0["pid"] as? Int }).count == 1, "one process ran the jobs")
        #expect(try queue.job(id: ids[0])?.result == "2 lines, 4 words")
        let retried = try #require(try queue.job(id: lockedID))
        #expect(retried.state == .delayed && retried.attempts == 0)
        let failed = try #require(try queue.job(id: missingID))
        #expect(failed.state == .dead && failed.lastError == "no such file: \(missing)")
        let bad = try #require(try queue.job(id: badID))
        #expect(bad.state == .dead && bad.deadReason?.contains("bad payload") == true && bad.attempts == 1)
    }
}
