import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

/// `ingest-worker --persistent` as a real process, with a real long-lived command: every rule of
/// the line protocol in docs/worker.md.
@Suite("ingest-worker --persistent: one long-lived command") struct PersistentWorkerTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-persistent-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Shell code setting `$id` to the job id in the request in `$line` (the first `"id":"` in it:
    /// the request's keys are sorted and those before `id` are numbers).
    private static let readID = #"id=${line#*\"id\":\"}; id=${id%%\"*}"#

    /// A shell loop that notes its pid in `pids`, answers every request line with `answer` (shell
    /// code that sees the request in `$line` and its job id in `$id`), and notes `eof-PID` when its
    /// stdin closes.
    private static func loop(_ answer: String) -> String {
        #"echo $$ >> "$OUT/pids"; while IFS= read -r line; do "# + readID + "; " + answer + #"; done; touch "$OUT/eof-$$""#
    }

    /// Starts `ingest-worker --queue Q --persistent ARGS -- /bin/sh -c SCRIPT` with OUT set.
    private func startWorker(_ queue: Queue, _ arguments: [String], script: String, environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.path("ingest-worker"))
        process.arguments = ["--queue", queue.name.rawValue, "--persistent"] + arguments + ["--", "/bin/sh", "-c", script]
        process.environment = ["JOBQ_REDIS_URL": try TestRedis.url(), "OUT": directory.path, "PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Waits for a worker, killing it if it outlives `timeout`.
    private func finish(_ worker: Process, within timeout: Duration = .seconds(20)) throws {
        if !eventually(timeout: timeout, { !worker.isRunning }) {
            kill(worker.processIdentifier, SIGKILL)
            worker.waitUntilExit()
            throw TestFailure("ingest-worker did not exit within \(timeout)")
        }
        worker.waitUntilExit()
    }

    private func file(_ name: String) -> String? {
        try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    /// The pids the command's processes noted, in start order.
    private var pids: [Int32] {
        (file("pids") ?? "").split(separator: "\n").compactMap { Int32($0) }
    }

    private func exitedCleanly(_ pid: Int32) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("eof-\(pid)").path)
    }

    @Test func jobsRunOneAfterAnotherThroughOneProcessAsJSONLines() throws {
        let queue = try TestRedis.queue()
        try queue.keepCompleted(RetentionLimit.parse("1h/10"))
        let hostile = #"{"text":"$(rm -rf /); `reboot`\nline two ümlaut","n":[1,2]}"#
        let ids = try (0..<3).map { _ in try queue.enqueue(payload: hostile, options: EnqueueOptions(type: "ingest.custom")).id }
        let script = Self.loop(#"printf '%s\n' "$line" >> "$OUT/requests"; echo '{"id":"'$id'","status":"ok","result":"done by '$$'"}'"#)
        let worker = try startWorker(queue, ["--max-jobs", "3"], script: script)
        try finish(worker)
        #expect(worker.terminationStatus == 0)
        let pid = try #require(pids.first)
        #expect(pids == [pid], "one process ran every job")
        let requests = (file("requests") ?? "").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(requests.count == 3)
        let expected = try JSONSerialization.data(withJSONObject: JSONSerialization.jsonObject(with: Data(hostile.utf8)), options: [.sortedKeys])
        for (request, id) in zip(requests, ids) {
            #expect(request["id"] as? String == id)
            #expect(request["type"] as? String == "ingest.custom")
            #expect(request["queue"] as? String == queue.name.rawValue)
            #expect(request["attempt"] as? Int == 1)
            #expect(request["max_attempts"] as? Int == 5)
            #expect(try JSONSerialization.data(withJSONObject: request["payload"] as Any, options: [.sortedKeys]) == expected, "payload unchanged")
        }
        for id in ids {
            let record = try #require(try queue.job(id: id))
            #expect(record.state == .completed)
            #expect(record.result == "done by \(pid)")
        }
        #expect(exitedCleanly(pid), "the worker closed the command's stdin when it stopped")
    }

    @Test func retryAndFailedResponsesSettleTheJobAsTheySay() throws {
        let queue = try TestRedis.queue()
        let later = try queue.enqueue(payload: #""later""#, options: EnqueueOptions(maxAttempts: 1)).id
        let failing = try queue.enqueue(payload: #""fail""#, options: EnqueueOptions(maxAttempts: 2)).id
        let doomed = try queue.enqueue(payload: #""doom""#, options: EnqueueOptions(maxAttempts: 5)).id
        let answer = #"""
            case "$line" in *later*) echo '{"id":"'$id'","status":"retry","after":"1h"}';; *fail*) echo '{"id":"'$id'","status":"failed","error":"upstream said 503"}';;
            *) echo '{"id":"'$id'","status":"failed","error":"cannot ever work","permanent":true}';; esac
            """#
        let worker = try startWorker(queue, ["--max-jobs", "3"], script: Self.loop(answer))
        try finish(worker)
        let retried = try #require(try queue.job(id: later))
        #expect(retried.state == .delayed && retried.attempts == 0 && retried.lastError == nil, "retry puts it back without spending an attempt")
        let dueIn = Double((retried.dueAt ?? 0) - (retried.startedAt ?? 0)) / 1000
        #expect(dueIn > 3000, "due again after about the hour asked for, not the default 30 s")
        let failed = try #require(try queue.job(id: failing))
        #expect(failed.state == .delayed && failed.attempts == 1 && failed.lastError == "upstream said 503", "failed is retried with backoff")
        let dead = try #require(try queue.job(id: doomed))
        #expect(dead.state == .dead && dead.deadReason == "cannot ever work", "permanent dead-letters at once")
        #expect(pids.count == 1, "valid responses keep the process")
    }

    @Test func aCommandThatDiesMidJobFailsThatJobAndIsStartedAgain() throws {
        let queue = try TestRedis.queue()
        let crashing = try queue.enqueue(payload: #""crash""#, options: EnqueueOptions(maxAttempts: 1)).id
        let fine = try queue.enqueue(payload: #""fine""#).id
        let answer = #"case "$line" in *crash*) echo "dying on purpose" >&2; exit 3;; esac; echo '{"id":"'$id'","status":"ok"}'"#
        let worker = try startWorker(queue, ["--max-jobs", "2"], script: Self.loop(answer))
        try finish(worker)
        #expect(worker.terminationStatus == 0, "the worker survives its command's death")
        let record = try #require(try queue.job(id: crashing))
        #expect(record.state == .dead && record.attempts == 1, "the attempt is counted, as for a command run per job")
        #expect(record.lastError?.contains("exit status 3") == true)
        #expect(record.lastError?.contains("dying on purpose") == true, "the end of its stderr is kept")
        #expect(try queue.job(id: fine) == nil, "the next job ran in a new process and was acked")
        #expect(pids.count == 2 && pids[0] != pids[1])
    }

    @Test func aCommandThatExitsBetweenJobsIsReplacedWithoutFailingTheNextJob() throws {
        let queue = try TestRedis.queue()
        let first = try queue.enqueue(payload: "1", options: EnqueueOptions(maxAttempts: 1)).id
        // Answers one job, then exits on its own.
        let worker = try startWorker(queue, ["--max-jobs", "2"], script: #"echo $$ >> "$OUT/pids"; read -r line; "# + Self.readID + #"; echo '{"id":"'$id'","status":"ok"}'; exit 0"#)
        try #require(eventually { try queue.job(id: first) == nil })
        let gone = try #require(pids.first)
        try #require(eventually { ProcessState.isGone(gone) })
        let second = try queue.enqueue(payload: "2", options: EnqueueOptions(maxAttempts: 1)).id
        try finish(worker)
        #expect(try queue.job(id: second) == nil, "the second job went to a new process and was acked")
        #expect(pids.count == 2)
    }

    @Test func aHangingCommandIsKilledAfterTheJobTimeoutWithItsGroup() throws {
        let queue = try TestRedis.queue()
        let hanging = try queue.enqueue(payload: #""hang""#, options: EnqueueOptions(maxAttempts: 1)).id
        let fine = try queue.enqueue(payload: #""fine""#).id
        // Ignores SIGTERM and leaves a grandchild behind: both must die.
        let answer = #"case "$line" in *hang*) sleep 60 & echo $! > "$OUT/grandchild"; wait;; esac; echo '{"id":"'$id'","status":"ok"}'"#
        let start = ContinuousClock.now
        let worker = try startWorker(queue, ["--max-jobs", "2", "--job-timeout", "1s", "--kill-grace", "500ms"], script: "trap '' TERM; " + Self.loop(answer))
        try finish(worker)
        #expect(ContinuousClock.now - start < .seconds(10))
        let record = try #require(try queue.job(id: hanging))
        #expect(record.state == .dead)
        #expect(record.lastError?.contains("SIGKILL") == true && record.lastError?.contains("timeout") == true)
        let grandchild = try #require(file("grandchild").flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        #expect(ProcessState.isGone(grandchild), "grandchild \(grandchild) was killed with the group")
        #expect(try queue.job(id: fine) == nil)
        #expect(pids.count == 2)
    }

    @Test func garbageOnStdoutFailsTheJobAndReplacesTheProcess() throws {
        let queue = try TestRedis.queue()
        let garbled = try queue.enqueue(payload: #""garble""#, options: EnqueueOptions(maxAttempts: 1)).id
        let wrongStatus = try queue.enqueue(payload: #""status""#, options: EnqueueOptions(maxAttempts: 1)).id
        let fine = try queue.enqueue(payload: #""fine""#).id
        let answer = #"""
            case "$line" in *garble*) echo 'Loading model... done';; *status*) echo '{"id":"'$id'","status":"great"}';; *) echo '{"id":"'$id'","status":"ok"}';; esac
            """#
        let worker = try startWorker(queue, ["--max-jobs", "3"], script: Self.loop(answer))
        try finish(worker)
        let first = try #require(try queue.job(id: garbled))
        #expect(first.state == .dead && first.lastError?.contains("not a response: Loading model... done") == true)
        let second = try #require(try queue.job(id: wrongStatus))
        #expect(second.state == .dead && second.lastError?.contains(#""status":"great"}"#) == true)
        #expect(try queue.job(id: fine) == nil)
        #expect(pids.count == 3, "each garbage line cost the process")
        #expect(pids.prefix(2).allSatisfy { !exitedCleanly($0) }, "a process out of step is killed, not asked to finish")
    }

    @Test func aLateAnswerToTheLastJobIsNotTakenAsTheNextJobsAnswer() throws {
        let queue = try TestRedis.queue()
        let first = try queue.enqueue(payload: "1", options: EnqueueOptions(maxAttempts: 1)).id
        let second = try queue.enqueue(payload: "2", options: EnqueueOptions(maxAttempts: 1)).id
        let third = try queue.enqueue(payload: "3").id
        // Answers every job once more when the next request comes: that extra line comes first.
        let answer = #"""
            if [ -n "$last" ]; then echo '{"id":"'$last'","status":"ok","result":"late answer"}'; fi
            echo '{"id":"'$id'","status":"ok","result":"own answer"}'; last=$id
            """#
        let worker = try startWorker(queue, ["--max-jobs", "3"], script: Self.loop(answer))
        try finish(worker)
        #expect(try queue.job(id: first) == nil, "the first job was answered in turn")
        let record = try #require(try queue.job(id: second))
        #expect(record.state == .dead, "the late line for the first job did not settle the second")
        #expect(record.lastError?.contains("answered job \(first) while job \(second) was in hand") == true)
        #expect(try queue.job(id: third) == nil, "the next job went to a new process")
        #expect(pids.count == 2, "a process out of step is replaced")
    }

    @Test func anOverLongLineFailsTheJob() throws {
        let queue = try TestRedis.queue()
        let id = try queue.enqueue(payload: #""long""#, options: EnqueueOptions(maxAttempts: 1)).id
        // 100 KiB without a newline, then the process waits as if it had more to say.
        let answer = #"head -c 102400 /dev/zero | tr '\0' x; sleep 30"#
        let start = ContinuousClock.now
        let worker = try startWorker(queue, ["--max-jobs", "1", "--kill-grace", "500ms"], script: Self.loop(answer))
        try finish(worker)
        #expect(ContinuousClock.now - start < .seconds(10), "not waiting for the rest of the line")
        let record = try #require(try queue.job(id: id))
        #expect(record.state == .dead && record.lastError?.contains("longer than 65536 bytes") == true)
    }

    @Test func maxJobsPerProcessRecyclesTheProcessGracefully() throws {
        let queue = try TestRedis.queue()
        for _ in 0..<5 { try queue.enqueue(payload: "1") }
        let worker = try startWorker(queue, ["--max-jobs", "5", "--max-jobs-per-process", "2"], script: Self.loop(#"echo '{"id":"'$id'","status":"ok"}'"#))
        try finish(worker)
        #expect(try queue.counts().waiting == 0 && queue.counts().active == 0)
        #expect(Set(pids).count == 3, "2 + 2 + 1 jobs")
        #expect(pids.allSatisfy(exitedCleanly), "each process was asked to finish by closing its stdin")
    }

    @Test func sigtermWithAJobInFlightPutsItBackAndStopsTheProcess() throws {
        let queue = try TestRedis.queue()
        let id = try queue.enqueue(payload: "1").id
        let worker = try startWorker(queue, ["--stop-grace", "500ms", "--kill-grace", "500ms"], script: Self.loop(#"touch "$OUT/started"; sleep 30; echo '{"id":"'$id'","status":"ok"}'"#))
        try #require(eventually { file("started") != nil })
        let pid = try #require(pids.first)
        kill(worker.processIdentifier, SIGTERM)
        try finish(worker)
        #expect(worker.terminationStatus == 0)
        let record = try #require(try queue.job(id: id))
        #expect(record.state == .waiting && record.attempts == 0, "nothing lost, no attempt spent")
        #expect(ProcessState.isGone(pid))
    }

    @Test func sigtermLetsTheJobInFlightFinishWithinTheGraceThenClosesStdin() throws {
        let queue = try TestRedis.queue()
        let id = try queue.enqueue(payload: "1").id
        let worker = try startWorker(queue, ["--stop-grace", "10s"], script: Self.loop(#"touch "$OUT/started"; sleep 1; echo '{"id":"'$id'","status":"ok"}'"#))
        try #require(eventually { file("started") != nil })
        kill(worker.processIdentifier, SIGTERM)
        try finish(worker)
        #expect(worker.terminationStatus == 0)
        #expect(try queue.job(id: id) == nil, "acked")
        let pid = try #require(pids.first)
        #expect(exitedCleanly(pid) && ProcessState.isGone(pid))
    }

    @Test func progressLinesAreAttributedToTheJobInHand() throws {
        let queue = try TestRedis.queue()
        let first = try queue.enqueue(payload: #""one""#).id
        let second = try queue.enqueue(payload: #""two""#).id
        let answer = #"""
            case "$line" in *one*) echo "7/7 first job" >&3; echo '{"id":"'$id'","status":"ok"}';;
            *) touch "$OUT/second"; until [ -e "$OUT/go" ]; do sleep 0.1; done; echo '{"id":"'$id'","status":"ok"}';; esac
            """#
        // Each job in hand waits for the test's `go`, so what is checked is seen while it runs.
        let worker = try startWorker(queue, ["--max-jobs", "2"], script: Self.loop(answer))
        try #require(eventually { file("second") != nil })
        #expect(try queue.job(id: first) == nil)
        Thread.sleep(forTimeInterval: 1.5)
        #expect(try queue.job(id: second)?.progress == nil, "the first job's progress is not shown for the second")
        #expect(try queue.job(id: second)?.state == .active, "checked while the second job ran")
        FileManager.default.createFile(atPath: directory.appendingPathComponent("go").path, contents: nil)
        try finish(worker)
        try FileManager.default.removeItem(at: directory.appendingPathComponent("go"))
        let reporting = try queue.enqueue(payload: #""three""#).id
        let reporter = try startWorker(
            queue, ["--max-jobs", "1"],
            script: Self.loop(#"echo "3/10 files" >&"$JOBQ_PROGRESS_FD"; until [ -e "$OUT/go" ]; do sleep 0.1; done; echo '{"id":"'$id'","status":"ok"}'"#))
        #expect(try eventually { try queue.job(id: reporting)?.progress == JobProgress(done: 3, total: 10, message: "files") })
        FileManager.default.createFile(atPath: directory.appendingPathComponent("go").path, contents: nil)
        try finish(reporter)
    }

    @Test func theProcessGetsNoRedisCredentialAndNoPerJobVariables() throws {
        let server = try RedisServer(arguments: ["--requirepass", "c4n4ry"])
        defer { server.stop() }
        let queue = Queue(
            name: try uniqueQueueName(), connection: try RedisConnection(configuration: RedisConfiguration(url: "redis://:c4n4ry@127.0.0.1:\(server.port)/0")))
        try queue.enqueue(payload: "1")
        let worker = try startWorker(
            queue, ["--max-jobs", "1"], script: #"/bin/sh -c 'ls /proc/$PPID/fd > "$OUT/fds.txt"'; tr '\0' '\n' < /proc/$$/environ > "$OUT/env.txt"; "# + Self.loop(#"echo '{"id":"'$id'","status":"ok"}'"#),
            environment: IngestWorkerProcessTests.credentialEnvironment.merging(["JOBQ_REDIS_URL": server.url, "JOBQ_WORKER_ID": "w-1"]) { $1 })
        try finish(worker)
        #expect(worker.terminationStatus == 0)
        let text = try #require(file("env.txt"))
        let environment = Dictionary(text.split(separator: "\n").compactMap { line in
            line.firstIndex(of: "=").map { (String(line[..<$0]), String(line[line.index(after: $0)...])) }
        }) { first, _ in first }
        for name in ["REDIS_URL", "JOBQ_REDIS_URL", "JOBQ_REDIS_PASSWORD", "JOBQ_REDIS_PASSWORD_FILE", "CREDENTIALS_DIRECTORY", "JOBQ_WORKER_ID", "JOBQ_JOB_ID"] {
            #expect(environment[name] == nil, "\(name) is not in the environment")
        }
        #expect(!text.contains("c4n4ry"), "the password is nowhere in the environment")
        #expect(file("fds.txt")?.split(separator: "\n") == ["0", "1", "2", "3"], "stdin, stdout, stderr and progress: no descriptor of the worker leaks (listed from a child: a shell redirecting keeps copies)")
        #expect(environment["CUSTOM"] == "kept" && environment["JOBQ_QUEUE"] == queue.name.rawValue && environment["JOBQ_PROGRESS_FD"] == "3")
    }

    @Test func aCommandThatKeepsDyingIsStartedAgainAfterAGrowingBackoff() throws {
        let queue = try TestRedis.queue()
        let ids = try (0..<3).map { _ in try queue.enqueue(payload: "1", options: EnqueueOptions(maxAttempts: 1)).id }
        let worker = try startWorker(queue, ["--max-jobs", "3"], script: #"date +%s%N >> "$OUT/starts"; echo "cannot load model" >&2; exit 1"#)
        try finish(worker)
        for id in ids {
            let record = try #require(try queue.job(id: id))
            #expect(record.state == .dead && record.lastError?.contains("exit status 1 before answering") == true)
            #expect(record.lastError?.contains("cannot load model") == true)
        }
        let starts = (file("starts") ?? "").split(separator: "\n").compactMap { Double($0) }.map { $0 / 1e9 }
        try #require(starts.count == 3)
        // The backoff starts at 500 ms and doubles; each wait is jittered down to half its ceiling.
        #expect(starts[1] - starts[0] >= 0.25, "first restart waited")
        #expect(starts[2] - starts[1] >= 0.5, "second restart waited longer")
    }

    @Test func theProcessDiesWithAWorkerKilledWithoutWarning() throws {
        let queue = try TestRedis.queue()
        try queue.enqueue(payload: "1")
        let worker = try startWorker(queue, [], script: Self.loop(#"touch "$OUT/started"; sleep 60"#))
        try #require(eventually { file("started") != nil })
        let pid = try #require(pids.first)
        kill(worker.processIdentifier, SIGKILL)
        worker.waitUntilExit()
        #expect(eventually(timeout: .seconds(5)) { ProcessState.isGone(pid) }, "the parent-death signal ended \(pid)")
    }

    @Test func persistentWithoutACommandIsBadUsage() throws {
        let run = try CommandRun.run("ingest-worker", ["--queue", "q", "--persistent"], environment: ["JOBQ_REDIS_URL": try TestRedis.url()])
        #expect(run.status == 64 && run.standardError.contains("--persistent"))
        let orphan = try CommandRun.run("ingest-worker", ["--queue", "q", "--max-jobs-per-process", "3", "--", "/bin/true"], environment: ["JOBQ_REDIS_URL": try TestRedis.url()])
        #expect(orphan.status == 64 && orphan.standardError.contains("needs --persistent"))
    }
}
