import Foundation
import JobQueue
import JobqTestSupport
import Testing

/// The `jobq` binary as a user runs it: output, exit status, one-line errors.
@Suite("jobq commands") struct JobqCommandTests {
    private func jobq(_ arguments: [String], input: String? = nil) throws -> CommandRun {
        try CommandRun.run("jobq", arguments, environment: ["JOBQ_REDIS_URL": try TestRedis.url()], input: input)
    }

    @Test func enqueuePrintsOneIdPerJobAndShowFindsIt() throws {
        let queue = try uniqueQueueName()
        let one = try jobq(["enqueue", queue.rawValue, #"{"path":"/srv/a.md"}"#, "--type", "ingest.file", "--max-attempts", "3"])
        #expect(one.status == 0)
        let id = try #require(one.lines.first)
        #expect(one.lines.count == 1)
        let shown = try jobq(["show", queue.rawValue, id, "--json"])
        #expect(shown.status == 0)
        let record = try JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any]
        #expect(record?["state"] as? String == "waiting")
        #expect(record?["type"] as? String == "ingest.file")
        #expect(record?["max_attempts"] as? Int == 3)
        let human = try jobq(["show", queue.rawValue, id])
        #expect(human.standardOutput.contains("state:        waiting"))
        let many = try jobq(["enqueue", queue.rawValue, "--jsonl", "-", "--type", "noop"], input: "{\"n\":1}\n\n{\"n\":2}\n[3]\n")
        #expect(many.status == 0)
        #expect(many.lines.count == 3)
    }

    @Test func payloadFromAFileAndFromStdin() throws {
        let queue = try uniqueQueueName()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("payload-\(UUID().uuidString).json")
        try #"{"from":"file"}"#.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let fromFile = try jobq(["enqueue", queue.rawValue, "--payload-file", file.path])
        let fromStdin = try jobq(["enqueue", queue.rawValue, "--payload-file", "-"], input: #"{"from":"stdin"}"#)
        #expect(fromFile.status == 0 && fromStdin.status == 0)
        let body = try jobq(["show", queue.rawValue, fromStdin.lines[0], "--json"]).standardOutput
        #expect(body.contains(#"\"from\":\"stdin\""#) || body.contains(#"{\"from\":\"stdin\"}"#))
    }

    @Test func badJSONLLineEnqueuesNothingAndNamesTheLine() throws {
        let queue = try uniqueQueueName()
        let run = try jobq(["enqueue", queue.rawValue, "--jsonl", "-"], input: "{\"n\":1}\n{oops\n")
        #expect(run.status == 1)
        #expect(run.standardError == "jobq: line 2 of stdin is not valid JSON: expected a member name in quotes at byte 1; nothing was enqueued\n")
        let counts = try Queue(name: queue, connection: TestRedis.connection()).counts()
        #expect(counts.waiting == 0)
    }

    @Test func aJSONLLineOnlyTheQueueRefusesIsNamedByItsNumber() throws {
        let queue = try uniqueQueueName()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("jobs-\(UUID().uuidString).jsonl")
        // Foundation's JSONSerialization takes the trailing comma of line 3; the queue does not.
        try "{\"n\":1}\n[2]\n{\"n\":3,}\n{\"n\":4}\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let run = try jobq(["enqueue", queue.rawValue, "--jsonl", file.path])
        #expect(run.status == 1)
        #expect(run.standardError == "jobq: line 3 of \(file.path) is not valid JSON: expected a member name in quotes at byte 7; nothing was enqueued\n")
        #expect(run.standardOutput.isEmpty)
        let counts = try Queue(name: queue, connection: TestRedis.connection()).counts()
        #expect(counts.waiting == 0 && counts.delayed == 0)
    }

    @Test func uniqueKeyRefusalExitsFiveNamesTheHolderOnStderrAndInJSON() throws {
        let queue = try uniqueQueueName()
        let first = try jobq(["enqueue", queue.rawValue, "1", "--unique", "doc-1"]).lines[0]
        let second = try jobq(["enqueue", queue.rawValue, "2", "--unique", "doc-1"])
        #expect(second.status == 5, "a refusal is not a success")
        #expect(second.lines.isEmpty, "stdout carries only ids of jobs enqueued")
        #expect(second.standardError.contains("held by job \(first)"))
        let json = try jobq(["enqueue", queue.rawValue, "3", "--unique", "doc-1", "--json"])
        #expect(json.status == 5)
        let refused = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: String]
        #expect(refused == ["status": "refused", "holder_id": first, "unique_key": "doc-1"])
        let fresh = try jobq(["enqueue", queue.rawValue, "4", "--unique", "doc-2", "--json"])
        #expect(fresh.status == 0)
        let enqueued = try JSONSerialization.jsonObject(with: Data(fresh.standardOutput.utf8)) as? [String: String]
        #expect(enqueued?["status"] == "enqueued" && enqueued?["id"]?.isEmpty == false)
    }

    @Test func errorsAreOneLineOnStderrWithANonZeroStatus() throws {
        let badName = try jobq(["enqueue", "bad name", "{}"])
        #expect(badName.status == 64, "an invalid queue name is bad usage")
        #expect(badName.standardError.hasPrefix("jobq: invalid queue name"))
        #expect(badName.standardError.filter { $0 == "\n" }.count == 1)

        let down = try CommandRun.run("jobq", ["enqueue", "q", "{}"], environment: ["JOBQ_REDIS_URL": "redis://:topsecret@127.0.0.1:1/0"])
        #expect(down.status == 1)
        #expect(down.standardError.contains("127.0.0.1:1"))
        #expect(!down.standardError.contains("topsecret"))
        #expect(down.standardError.filter { $0 == "\n" }.count == 1)

        let badJSON = try jobq(["enqueue", "q", "{nope"])
        #expect(badJSON.status == 1 && badJSON.standardError.hasPrefix("jobq: payload is not valid JSON"))

        let badFlag = try jobq(["enqueue", "q", "{}", "--delay", "soon"])
        #expect(badFlag.status == 64)
        #expect(badFlag.standardError.contains("not a duration"))

        let missing = try jobq(["show", "q", "no-such-id"])
        #expect(missing.status == 1 && missing.standardError.contains("no job 'no-such-id'"))
    }

    @Test func deadRetryCancelPauseAndResumeWorkFromTheShell() throws {
        let name = try uniqueQueueName()
        let queue = Queue(name: name, connection: try TestRedis.connection())
        let doomed = try queue.enqueue(payload: "1", options: EnqueueOptions(maxAttempts: 1)).id
        let consumer = try Consumer(queue: queue)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        _ = try consumer.fail(job, error: "upstream 503")
        let dead = try jobq(["dead", name.rawValue])
        #expect(dead.standardOutput.contains(doomed) && dead.standardOutput.contains("upstream 503"))
        let deadJSON = try JSONSerialization.jsonObject(with: Data(try jobq(["dead", name.rawValue, "--json"]).standardOutput.utf8)) as? [[String: Any]]
        #expect(deadJSON?.first?["id"] as? String == doomed)
        #expect(try jobq(["retry", name.rawValue, doomed]).standardOutput == "requeued 1 job\n")
        #expect(try jobq(["retry", name.rawValue]).status == 64, "ids or --all are required")
        let cancelled = try jobq(["cancel", name.rawValue, doomed])
        #expect(cancelled.standardOutput == "cancelled \(doomed) (was waiting)\n")
        #expect(try jobq(["pause", name.rawValue]).status == 0)
        #expect(try queue.isPaused())
        #expect(try jobq(["resume", name.rawValue]).status == 0)
        #expect(try queue.isPaused() == false)
    }

    @Test func retentionHistoryAndShowOfFinishedJobsFromTheShell() throws {
        let name = try uniqueQueueName()
        #expect(try jobq(["retention", name.rawValue]).standardOutput == "completed: not kept\ndead:      kept 7d/10000\n")
        #expect(try jobq(["retention", name.rawValue, "--keep-completed", "24h"]).status == 64)
        let set = try jobq(["retention", name.rawValue, "--keep-completed", "24h/100", "--json"])
        let settings = try JSONSerialization.jsonObject(with: Data(set.standardOutput.utf8)) as? [String: Any]
        #expect((settings?["completed"] as? [String: Any])?["max_count"] as? Int == 100)
        let queue = Queue(name: name, connection: try TestRedis.connection())
        let done = try queue.enqueue(payload: #"{"path":"guide.md"}"#).id
        let doomed = try queue.enqueue(payload: "2", options: EnqueueOptions(maxAttempts: 1)).id
        let consumer = try Consumer(queue: queue)
        guard case .job(let first) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        #expect(try consumer.complete(first, result: "12 chunks", progress: JobProgress(done: 12, total: 12, message: "chunks"), reserveNext: false).acked)
        guard case .job(let second) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        _ = try consumer.fail(second, error: "upstream 503")
        let shown = try jobq(["show", name.rawValue, done]).standardOutput
        for line in ["state:        completed", "finished:     ", "duration:     ", "worker:       \(consumer.id) (host ", "result:       12 chunks", "progress:     12/12 chunks (at "] {
            #expect(shown.contains(line), "\(line) in \(shown)")
        }
        let history = try jobq(["history", name.rawValue]).lines
        #expect(history.count == 2 && history[0].hasPrefix("\(doomed) ") && history[0].contains("failed") && history[0].contains("upstream 503"))
        #expect(history[1].hasPrefix("\(done) ") && history[1].contains("completed") && history[1].contains("result: 12 chunks"))
        let failedOnly = try JSONSerialization.jsonObject(with: Data(try jobq(["history", name.rawValue, "--failed", "--json"]).standardOutput.utf8)) as? [[String: Any]]
        #expect(failedOnly?.map { $0["id"] as? String } == [doomed])
        #expect(failedOnly?.first?["finished_at"] as? Int64 != nil)
        #expect(try jobq(["history", name.rawValue, "--limit", "0"]).status == 64)
        let off = try jobq(["retention", name.rawValue, "--keep-completed", "off"])
        #expect(off.standardOutput.contains("completed: not kept") && off.standardOutput.contains("deleted 1 finished job "))
        #expect(try jobq(["show", name.rawValue, done]).status == 1)
    }

    @Test func enqueueTakesAPriorityThatShowAndStatsReport() throws {
        let name = try uniqueQueueName()
        let low = try jobq(["enqueue", name.rawValue, "1", "--priority", "low"]).lines[0]
        let high = try jobq(["enqueue", name.rawValue, "2", "--priority", "high"]).lines[0]
        let bad = try jobq(["enqueue", name.rawValue, "3", "--priority", "urgent"])
        #expect(bad.status == 64 && bad.standardError.contains("urgent"))
        #expect(try jobq(["show", name.rawValue, high]).standardOutput.contains("priority:     high"))
        #expect(try jobq(["show", name.rawValue, low]).standardOutput.contains("priority:     low"))
        let stats = try jobq(["stats", name.rawValue]).standardOutput
        #expect(stats.contains("2 waiting (1 high, 1 low)"), "\(stats)")
        let consumer = try Consumer(queue: Queue(name: name, connection: try TestRedis.connection()))
        guard case .job(let first) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        #expect(first.id == high)
    }

    @Test func statsShowTheProgressOfRunningJobs() throws {
        let name = try uniqueQueueName()
        let queue = Queue(name: name, connection: try TestRedis.connection())
        let id = try queue.enqueue(payload: "1").id
        let consumer = try Consumer(queue: queue)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        try consumer.heartbeat(info: [("job", id), ("job_started_at", String(job.startedAt))])
        #expect(try consumer.extendLease(job, progress: JobProgress(done: 3, total: 10, message: "files")) == .extended)
        let text = try jobq(["stats", name.rawValue]).standardOutput
        #expect(text.contains("job \(id) for ") && text.contains("(3/10 files)"), "\(text)")
        let json = try jobq(["stats", name.rawValue, "--json"]).standardOutput
        #expect(json.contains(#""progress" : {"#) && json.contains(#""message" : "files""#), "\(json)")
        #expect(try jobq(["show", name.rawValue, id]).standardOutput.contains("progress:     3/10 files (at "))
    }

    @Test func limitAndLocksShowWhatIsStoredInRedis() throws {
        let name = try uniqueQueueName()
        let set = try jobq(["limit", name.rawValue, "--rate", "10/m", "--burst", "5", "--concurrency", "1"])
        #expect(set.status == 0)
        #expect(set.standardOutput.contains("rate: 10 per 1m, burst 5"))
        #expect(set.standardOutput.contains("concurrency: 1"))
        let json = try JSONSerialization.jsonObject(with: Data(try jobq(["limit", name.rawValue, "--json"]).standardOutput.utf8)) as? [String: Any]
        #expect(json?["concurrency"] as? Int == 1)
        let queue = Queue(name: name, connection: try TestRedis.connection())
        try queue.enqueue(payload: "1")
        let consumer = try Consumer(queue: queue)
        guard case .job = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        let locks = try jobq(["locks", name.rawValue])
        #expect(locks.standardOutput.contains("slot:1"))
        #expect(locks.standardOutput.contains(consumer.id))
        let lockJSON = try JSONSerialization.jsonObject(with: Data(try jobq(["locks", name.rawValue, "--json"]).standardOutput.utf8)) as? [[String: Any]]
        #expect(lockJSON?.first.map { Set($0.keys) } == ["name", "holder", "job", "age_milliseconds", "ttl_milliseconds", "fencing_token"])
        #expect(try jobq(["limit", name.rawValue, "--off"]).standardOutput.contains("rate: unlimited"))
        #expect(try jobq(["limit", name.rawValue, "--off", "--rate", "1/s"]).status == 64)
    }

    @Test func helpListsEveryCommand() throws {
        let help = try jobq(["--help"]).standardOutput
        for command in ["enqueue", "show", "dead", "retry", "cancel", "pause", "resume", "limit", "locks", "bench"] {
            #expect(help.contains("  \(command)"), "\(command) missing from --help")
        }
    }
}
