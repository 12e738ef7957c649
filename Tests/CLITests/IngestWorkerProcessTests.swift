import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

/// `ingest-worker` as a real process, running a real command per job.
@Suite("ingest-worker running a command per job") struct IngestWorkerProcessTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-worker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Starts `ingest-worker --queue Q ARGS -- /bin/sh -c SCRIPT` with OUT pointing at the test's directory.
    private func startWorker(_ queue: Queue, _ arguments: [String], script: String? = nil, environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.path("ingest-worker"))
        process.arguments = ["--queue", queue.name.rawValue] + arguments + (script.map { ["--", "/bin/sh", "-c", $0] } ?? [])
        process.environment = ["JOBQ_REDIS_URL": try TestRedis.url(), "OUT": directory.path, "PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    private func file(_ name: String) -> String? {
        try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    @Test func commandGetsTheJobOnStdinAndItsEnvironmentAndExitZeroAcks() throws {
        let queue = try TestRedis.queue()
        let hostile = #"{"text":"$(rm -rf /); `reboot` && echo 'x' | sh; \"quoted\" \\ back\nline ümlaut"}"#
        let id = try queue.enqueue(payload: hostile, options: EnqueueOptions(type: "ingest.custom")).id
        let worker = try startWorker(queue, ["--max-jobs", "1"], script: #"cat > "$OUT/stdin.json"; env > "$OUT/env.txt"; echo "$@" > "$OUT/args.txt""#)
        worker.waitUntilExit()
        #expect(worker.terminationStatus == 0)
        let stdin = try #require(file("stdin.json"))
        let message = try JSONSerialization.jsonObject(with: Data(stdin.utf8)) as? [String: Any]
        let payload = try JSONSerialization.data(withJSONObject: message?["payload"] as Any, options: [.sortedKeys])
        let expected = try JSONSerialization.data(withJSONObject: JSONSerialization.jsonObject(with: Data(hostile.utf8)), options: [.sortedKeys])
        #expect(payload == expected, "payload reached the child unchanged")
        #expect(message?["id"] as? String == id)
        let environment = try #require(file("env.txt"))
        #expect(environment.contains("JOBQ_JOB_ID=\(id)\n"))
        #expect(environment.contains("JOBQ_QUEUE=\(queue.name.rawValue)\n"))
        #expect(environment.contains("JOBQ_ATTEMPT=1\n"))
        #expect(environment.contains("JOBQ_JOB_TYPE=ingest.custom\n"))
        #expect(!environment.contains("JOBQ_REDIS_URL"), "Redis credentials are not handed to the command")
        #expect(!environment.contains("JOBQ_FENCING_TOKEN"), "no lock guards this run")
        #expect(file("args.txt") == "\n", "nothing from the payload reaches argv")
        #expect(try queue.job(id: id) == nil, "exit 0 acked the job")
    }

    @Test func exitSeventyFiveRetriesLaterWithoutSpendingAnAttempt() throws {
        let queue = try TestRedis.queue()
        let id = try queue.enqueue(payload: "1", options: EnqueueOptions(maxAttempts: 1)).id
        let worker = try startWorker(queue, ["--max-jobs", "1", "--tempfail-delay", "1h"], script: "exit 75")
        worker.waitUntilExit()
        let record = try #require(try queue.job(id: id))
        #expect(record.state == .delayed)
        #expect(record.attempts == 0)
        #expect(record.lastError == nil)
    }

    @Test func failingCommandKeepsItsExitStatusAndTheEndOfItsStderr() throws {
        let queue = try TestRedis.queue()
        let id = try queue.enqueue(payload: "1", options: EnqueueOptions(maxAttempts: 1)).id
        let script = #"i=0; while [ $i -lt 300 ]; do echo "noise line $i" >&2; i=$((i+1)); done; echo "final words: upstream said 503" >&2; exit 3"#
        let worker = try startWorker(queue, ["--max-jobs", "1"], script: script)
        worker.waitUntilExit()
        let record = try #require(try queue.job(id: id))
        #expect(record.state == .dead)
        let error = try #require(record.lastError)
        #expect(error.contains("exit status 3"))
        #expect(error.contains("final words: upstream said 503"))
        #expect(!error.contains("noise line 0\n"), "only the last 4 KiB of stderr is kept")
        #expect(error.utf8.count <= 4096 + 200)
    }

    @Test func commandKilledByASignalFailsTheJobAndIsRetried() throws {
        let queue = try TestRedis.queue()
        let id = try queue.enqueue(payload: "1", options: EnqueueOptions(maxAttempts: 3)).id
        let worker = try startWorker(queue, ["--max-jobs", "1"], script: "kill -KILL $$")
        worker.waitUntilExit()
        #expect(worker.terminationStatus == 0, "the worker survives its command's death")
        let record = try #require(try queue.job(id: id))
        #expect(record.state == .delayed)
        #expect(record.lastError?.contains("SIGKILL") == true)
    }

    @Test func jobTimeoutStopsTheCommandsWholeProcessGroup() throws {
        let queue = try TestRedis.queue()
        let id = try queue.enqueue(payload: "1", options: EnqueueOptions(maxAttempts: 1)).id
        // The command ignores SIGTERM and leaves a grandchild behind: both must die.
        let script = #"trap '' TERM; sleep 60 & echo $! > "$OUT/grandchild.pid"; wait"#
        let start = ContinuousClock.now
        let worker = try startWorker(queue, ["--max-jobs", "1", "--job-timeout", "1s", "--kill-grace", "500ms"], script: script)
        worker.waitUntilExit()
        #expect(ContinuousClock.now - start < .seconds(5))
        let record = try #require(try queue.job(id: id))
        #expect(record.state == .dead)
        #expect(record.lastError?.contains("timeout") == true)
        let grandchild = try #require(file("grandchild.pid").flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        #expect(ProcessState.isGone(grandchild), "grandchild \(grandchild) was killed with the group")
    }

    @Test func sigtermMidJobPutsTheJobBackWithoutCountingAnAttempt() throws {
        let queue = try TestRedis.queue()
        let id = try queue.enqueue(payload: "1").id
        let worker = try startWorker(queue, ["--stop-grace", "500ms", "--kill-grace", "500ms"], script: #"touch "$OUT/started"; sleep 30"#)
        try #require(eventually { file("started") != nil })
        kill(worker.processIdentifier, SIGTERM)
        worker.waitUntilExit()
        #expect(worker.terminationStatus == 0)
        let record = try #require(try queue.job(id: id))
        #expect(record.state == .waiting)
        #expect(record.attempts == 0)
    }

    @Test func idleWorkerExitsZeroAfterItsIdleTime() throws {
        let queue = try TestRedis.queue()
        let start = ContinuousClock.now
        let worker = try startWorker(queue, ["--idle-exit", "1s"])
        worker.waitUntilExit()
        #expect(worker.terminationStatus == 0)
        #expect(ContinuousClock.now - start >= .seconds(1))
        #expect(ContinuousClock.now - start < .seconds(6))
    }

    @Test func unknownTypeIsDeadLetteredWithoutRetries() throws {
        let queue = try TestRedis.queue()
        let id = try queue.enqueue(payload: "1", options: EnqueueOptions(type: "no.such.type", maxAttempts: 5)).id
        let worker = try startWorker(queue, ["--max-jobs", "1"])
        worker.waitUntilExit()
        let record = try #require(try queue.job(id: id))
        #expect(record.state == .dead)
        #expect(record.attempts == 1)
        #expect(record.deadReason == "unknown type: no.such.type")
    }

    @Test func runningWorkerIsListedInTheRegistryAndLeavesItWhenDone() throws {
        let queue = try TestRedis.queue()
        let id = try queue.enqueue(payload: "1").id
        let worker = try startWorker(queue, ["--max-jobs", "1"], script: #"touch "$OUT/started"; sleep 2"#)
        try #require(eventually { file("started") != nil })
        let keys = try queue.connection.command(["KEYS", RedisArgument(queue.keys.key(.worker) + "*")]).array?.compactMap(\.string) ?? []
        #expect(keys.count == 1)
        try #require(eventually(timeout: .seconds(5)) {
            let fields = try queue.connection.command(["HGETALL", RedisArgument(keys.first ?? "")])
            return (fields.array ?? []).compactMap(\.string).contains(id)
        })
        worker.waitUntilExit()
        #expect(try queue.connection.command(["EXISTS", RedisArgument(keys.first ?? "")]).integer == 0)
    }

    @Test func missingCommandFailsAtStartWithAClearMessage() throws {
        let queue = try TestRedis.queue()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.path("ingest-worker"))
        process.arguments = ["--queue", queue.name.rawValue, "--", "/no/such/program"]
        process.environment = ["JOBQ_REDIS_URL": try TestRedis.url()]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.contains("/no/such/program"))
    }

    /// Runs one job on a Redis that wants the password `c4n4ry`, in a worker whose environment is
    /// ``credentialEnvironment`` plus `environment`, with a command that writes the environment it
    /// was started with (`/proc/self/environ`, before the shell adds to it) to `env.txt`; returns it.
    private func jobEnvironment(_ arguments: [String], environment: [String: String] = [:]) throws -> [String: String] {
        let server = try RedisServer(arguments: ["--requirepass", "c4n4ry"])
        defer { server.stop() }
        let queue = Queue(
            name: try uniqueQueueName(), connection: try RedisConnection(configuration: RedisConfiguration(url: "redis://:c4n4ry@127.0.0.1:\(server.port)/0")))
        try queue.enqueue(payload: "1", options: EnqueueOptions(type: "env"))
        let worker = try startWorker(
            queue, ["--max-jobs", "1"] + arguments, script: #"tr '\0' '\n' < /proc/$$/environ > "$OUT/env.txt""#,
            environment: Self.credentialEnvironment.merging(["JOBQ_REDIS_URL": server.url]) { $1 }.merging(environment) { $1 })
        worker.waitUntilExit()
        #expect(worker.terminationStatus == 0)
        let text = try #require(file("env.txt"))
        return Dictionary(text.split(separator: "\n").compactMap { line in
            line.firstIndex(of: "=").map { (String(line[..<$0]), String(line[line.index(after: $0)...])) }
        }) { first, _ in first }
    }

    /// A worker's environment with every kind of credential variable (the password is the one the
    /// worker uses; the others would lead to one) and two ordinary variables.
    static let credentialEnvironment = [
        "JOBQ_REDIS_PASSWORD": "c4n4ry", "REDIS_URL": "redis://:c4n4ry@127.0.0.1:1/0", "JOBQ_REDIS_PASSWORD_FILE": "/etc/jobq/pw",
        "CREDENTIALS_DIRECTORY": "/run/credentials/jobq.service", "CUSTOM": "kept", "HOME": "/var/lib/jobq",
    ]

    @Test func byDefaultAJobGetsTheWorkersEnvironmentWithoutAnyRedisCredential() throws {
        let environment = try jobEnvironment([])
        #expect(environment["CUSTOM"] == "kept" && environment["HOME"] == "/var/lib/jobq" && environment["PATH"] == "/usr/bin:/bin")
        for name in ["REDIS_URL", "JOBQ_REDIS_URL", "JOBQ_REDIS_PASSWORD", "JOBQ_REDIS_PASSWORD_FILE", "CREDENTIALS_DIRECTORY", "JOBQ_WORKER_ID"] {
            #expect(environment[name] == nil, "\(name) is withheld")
        }
        #expect(environment["JOBQ_ATTEMPT"] == "1" && environment["JOBQ_JOB_TYPE"] == "env")
    }

    @Test func aCleanEnvironmentHoldsOnlyThePassedVariablesAndTheJobVariables() throws {
        let environment = try jobEnvironment(["--clean-env", "--pass-env", "CUSTOM", "--pass-env", "OUT"])
        #expect(Set(environment.keys) == ["CUSTOM", "OUT", "JOBQ_JOB_ID", "JOBQ_QUEUE", "JOBQ_JOB_TYPE", "JOBQ_ATTEMPT", "JOBQ_MAX_ATTEMPTS", "JOBQ_PROGRESS_FD", "JOBQ_RESULT_FD"])
        #expect(environment["CUSTOM"] == "kept")
    }

    @Test func aJobGetsTheRedisURLWithItsPasswordOnlyWhenAsked() throws {
        let environment = try jobEnvironment(["--pass-redis-url"])
        let url = try #require(environment["JOBQ_REDIS_URL"])
        #expect(url.hasPrefix("redis://:c4n4ry@127.0.0.1:"), "the URL the worker uses, password included")
        #expect(environment["REDIS_URL"] == nil && environment["JOBQ_REDIS_PASSWORD"] == nil)
    }

    @Test func passingACredentialVariableByNameIsRefusedAtStart() throws {
        let queue = try TestRedis.queue()
        let run = try CommandRun.run(
            "ingest-worker", ["--queue", queue.name.rawValue, "--pass-env", "REDIS_URL", "--", "/bin/true"],
            environment: ["JOBQ_REDIS_URL": try TestRedis.url()])
        #expect(run.status != 0)
        #expect(run.standardError.contains("REDIS_URL is not passed to job commands") && run.standardError.contains("--pass-redis-url"))
    }
}
