import Foundation
import JobQueue
import JobqTestSupport
import Testing

/// What an operator reads from `jobq` is exact: multi-line text keeps the layout, refusals and
/// errors say why, and exit statuses follow the table in docs/operations.md.
@Suite("jobq text an operator reads") struct OperatorTextTests {
    private func jobq(_ arguments: [String], input: String? = nil) throws -> CommandRun {
        try CommandRun.run("jobq", arguments, environment: ["JOBQ_REDIS_URL": try TestRedis.url()], input: input)
    }

    /// Dead-letters a job whose run failed with `error`, in a new queue.
    private func deadLetter(error: String) throws -> (queue: QueueName, id: String) {
        let name = try uniqueQueueName()
        let queue = Queue(name: name, connection: try TestRedis.connection())
        let id = try queue.enqueue(payload: "1", options: EnqueueOptions(maxAttempts: 1)).id
        let consumer = try Consumer(queue: queue)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { throw TestFailure("no job") }
        _ = try consumer.fail(job, error: error)
        return (name, id)
    }

    @Test func aMultiLineErrorIsOneEscapedLineInTheDeadListAndIsNotRepeated() throws {
        let (queue, id) = try deadLetter(error: "fetching /srv/a.md\n\tupstream said 503\nboom")
        let dead = try jobq(["dead", queue.rawValue])
        #expect(dead.status == 0)
        #expect(dead.lines.count == 1, "one line per dead letter, got: \(dead.standardOutput)")
        let line = try #require(dead.lines.first)
        #expect(line.hasPrefix(id))
        #expect(line.contains(#"failed 1 of 1 attempts: fetching /srv/a.md\n\tupstream said 503\nboom"#))
        #expect(line.components(separatedBy: "boom").count == 2, "the error is shown once")
    }

    @Test func showIndentsEveryContinuationLineUnderItsField() throws {
        let (queue, id) = try deadLetter(error: "first line\nsecond line")
        let shown = try jobq(["show", queue.rawValue, id])
        #expect(shown.status == 0)
        let lines = shown.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.contains("dead reason:  failed 1 of 1 attempts: first line"))
        #expect(lines.contains("last error:   first line"))
        let continuations = lines.filter { $0.hasSuffix("second line") }
        #expect(continuations == ["              second line", "              second line"])
        for line in lines where !line.isEmpty && !line.hasPrefix(" ") {
            #expect(line.range(of: #"^[a-z ]+: +"#, options: .regularExpression) != nil, "'\(line)' is a field or an indented continuation")
        }
    }
}

/// Limits, refusals and exit statuses of `jobq` and `ingest-worker`, as docs/operations.md lists them.
@Suite("jobq limits and exit statuses") struct OperatorLimitTests {
    private func jobq(_ arguments: [String], input: String? = nil, redisURL: String? = nil) throws -> CommandRun {
        try CommandRun.run("jobq", arguments, environment: ["JOBQ_REDIS_URL": try redisURL ?? TestRedis.url()], input: input)
    }

    @Test func aPayloadFileOverTheMessageLimitIsRefusedByItsSizeBeforeItIsRead() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("huge-\(UUID().uuidString).json")
        FileManager.default.createFile(atPath: file.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: file) }
        let handle = try FileHandle(forWritingTo: file)
        try handle.truncate(atOffset: 50_000_000)  // sparse: 50 MB that costs nothing to make
        try handle.close()
        let queue = try uniqueQueueName()
        let run = try jobq(["enqueue", queue.rawValue, "--payload-file", file.path])
        #expect(run.status == 1)
        #expect(run.standardError == "jobq: \(file.path) is 47.7 MiB; a job message is at most 1.0 MiB; nothing was enqueued\n")
        let fromStdin = try jobq(["enqueue", queue.rawValue, "--payload-file", "-"], input: String(repeating: " ", count: 1_100_000))
        #expect(fromStdin.status == 1)
        #expect(fromStdin.standardError.contains("stdin is more than 1.0 MiB; a job message is at most 1.0 MiB"))
    }

    @Test func theMessageLimitIsInEnqueueHelpAndTheREADME() throws {
        let help = try jobq(["enqueue", "--help"]).standardOutput
        #expect(help.contains("at most 1 MiB"))
        let readme = try String(contentsOfFile: Repository.path("README.md"), encoding: .utf8)
        #expect(readme.contains("at most 1 MiB"))
    }

    @Test func anUnreadableFileIsNamedWithTheSystemsReason() throws {
        let missing = try jobq(["enqueue", "q", "--payload-file", "/no/such/payload.json"])
        #expect(missing.status == 1)
        #expect(missing.standardError == "jobq: cannot read /no/such/payload.json: No such file or directory\n")
        let directory = try jobq(["enqueue", "q", "--jsonl", "/"])
        #expect(directory.standardError == "jobq: cannot read /: Is a directory\n")
    }

    @Test func aNegativeDelayIsRefusedInWords() throws {
        for arguments in [["--delay", "-5s"], ["--delay=-5s"]] {
            let run = try jobq(["enqueue", "q", "{}"] + arguments)
            #expect(run.status == 64)
            #expect(run.standardError.contains("--delay: negative delays are not allowed ('-5s')"), "\(run.standardError)")
        }
    }

    @Test func aRedisThatWantsAPasswordPointsAtThePasswordFile() throws {
        let server = try RedisServer(arguments: ["--requirepass", "sesame-\(UUID().uuidString.prefix(6))"])
        defer { server.stop() }
        let run = try jobq(["enqueue", "q", "{}"], redisURL: server.url)
        #expect(run.status == 1)
        #expect(run.standardError.contains("NOAUTH") && run.standardError.contains("JOBQ_REDIS_PASSWORD_FILE"), "\(run.standardError)")
    }

    @Test func usageErrorsExitSixtyFourEverywhereIncludingRedisURLs() throws {
        let badURL = "bogus://127.0.0.1"
        for arguments in [["enqueue", "q", "{}"], ["stats"], ["show", "q", "id"], ["diagnose"], ["dead", "q"]] {
            #expect(try jobq(arguments + ["--redis", badURL]).status == 64, "jobq \(arguments.joined(separator: " ")) with a bad --redis")
            #expect(try jobq(arguments, redisURL: badURL).status == 64, "jobq \(arguments.joined(separator: " ")) with a bad JOBQ_REDIS_URL")
        }
        #expect(try jobq(["show", "bad name", "id"]).status == 64)
        let worker = try CommandRun.run("ingest-worker", ["--queue", "q", "--redis", badURL])
        #expect(worker.status == 64)
        #expect(try CommandRun.run("ingest-worker", ["--queue", "bad name"], environment: ["JOBQ_REDIS_URL": try TestRedis.url()]).status == 64)
    }

    @Test func statsOfAQueueThatNeverExistedSaysSoInsteadOfOK() throws {
        let never = try uniqueQueueName()
        let run = try jobq(["stats", never.rawValue])
        #expect(run.status == 1)
        #expect(run.standardOutput.isEmpty)
        #expect(run.standardError.hasPrefix("jobq: no queue '\(never.rawValue)': nothing has ever written to it"))
        let used = try uniqueQueueName()
        #expect(try jobq(["enqueue", used.rawValue, "{}"]).status == 0)
        let stats = try jobq(["stats", used.rawValue])
        #expect(stats.status == 0 && stats.standardOutput.contains("\(used.rawValue): OK"))
    }
}
