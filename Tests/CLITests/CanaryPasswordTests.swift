import Foundation
import JobqTestSupport
import RedisClient
import Testing

/// A canary password, given each way jobq accepts one, must appear in no output, no log, no job
/// process's environment or argv, and no Redis key jobq writes.
@Suite("A Redis password never leaks", .serialized) struct CanaryPasswordTests {
    /// How the password reaches jobq.
    enum Way: String, CaseIterable, Sendable {
        case redisURLVariable, jobqRedisURLVariable, redisOption, passwordFile, systemdCredential
    }

    let directory: URL
    let canary = "c4n4ry" + UUID().uuidString.prefix(8).lowercased()

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-canary-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// The environment and the extra arguments that give `server`'s password to jobq `way`.
    func credentials(_ way: Way, _ server: RedisServer) throws -> (environment: [String: String], arguments: [String]) {
        let plain = server.url, secret = "redis://:\(canary)@127.0.0.1:\(server.port)/0"
        var environment = ["PATH": "/usr/bin:/bin", "OUT": directory.path]
        var arguments: [String] = []
        switch way {
        case .redisURLVariable: environment["REDIS_URL"] = secret
        case .jobqRedisURLVariable: environment["JOBQ_REDIS_URL"] = secret
        case .redisOption: arguments = ["--redis", secret]
        case .passwordFile:
            let file = directory.appendingPathComponent("password")
            try "\(canary)\n".write(to: file, atomically: true, encoding: .utf8)
            environment["JOBQ_REDIS_URL"] = plain
            environment["JOBQ_REDIS_PASSWORD_FILE"] = file.path
        case .systemdCredential:
            let credentials = directory.appendingPathComponent("credentials")
            try FileManager.default.createDirectory(at: credentials, withIntermediateDirectories: true)
            try canary.write(to: credentials.appendingPathComponent(RedisConfiguration.systemdCredentialName), atomically: true, encoding: .utf8)
            environment["JOBQ_REDIS_URL"] = plain
            environment["CREDENTIALS_DIRECTORY"] = credentials.path
        }
        return (environment, arguments)
    }

    @Test(arguments: Way.allCases)
    func theCanaryPasswordAppearsInNoOutputLogChildOrKey(_ way: Way) throws {
        let server = try RedisServer(arguments: ["--requirepass", canary])
        defer { server.stop() }
        let (environment, redis) = try credentials(way, server)
        let queue = "canary-\(UUID().uuidString.prefix(8).lowercased())"
        var seen: [(what: String, text: String)] = []

        let enqueue = try CommandRun.run("jobq", ["enqueue", queue, #"{"n":1}"#, "--type", "canary"] + redis, environment: environment)
        #expect(enqueue.status == 0, "\(enqueue.standardError)")
        let id = enqueue.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        seen.append(("jobq enqueue", enqueue.standardOutput + enqueue.standardError))
        #expect(enqueue.standardError.contains("a password in --redis is visible") == (way == .redisOption), "the warning comes exactly when --redis holds a password")

        // A supervised worker runs the job as a command that records its environment and argv.
        let log = directory.appendingPathComponent("supervise.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let record = #"env > "$OUT/env.txt"; tr '\0' ' ' < /proc/$$/cmdline > "$OUT/argv.txt""#
        let supervisor = Process()
        supervisor.executableURL = URL(fileURLWithPath: Binaries.path("jobq"))
        supervisor.arguments = ["supervise", queue, "--tick", "100ms", "--max-load", "100", "--max-cpu-pressure", "100", "--min-available", "1M"]
            + redis + ["--", Binaries.path("ingest-worker"), "--queue", queue, "--idle-exit", "1s", "--", "/bin/sh", "-c", record]
        supervisor.environment = environment
        supervisor.standardOutput = try FileHandle(forWritingTo: log)
        supervisor.standardError = supervisor.standardOutput
        try supervisor.run()
        defer { if supervisor.isRunning { supervisor.terminate() } }
        #expect(eventually(timeout: .seconds(20)) { FileManager.default.fileExists(atPath: directory.appendingPathComponent("argv.txt").path) })

        // Two copies of a worker whose argv holds the password, for diagnose and emergency-stop to find.
        let copies = try (0..<2).map { _ in try Self.sleeper(["canary-worker", "--redis", "redis://:\(canary)@127.0.0.1:1/0"]) }
        defer { copies.forEach { $0.terminate() } }
        let operator_: [[String]] = [
            ["stats", queue], ["stats", queue, "--json"], ["stats", "--prometheus"], ["show", queue, id], ["diagnose"], ["diagnose", "--json"],
            ["emergency-stop", queue, "--dry-run"], ["emergency-stop", "--kill-duplicates", "--worker-pattern", "canary-worker", "--dry-run"],
        ]
        for arguments in operator_ {
            let run = try CommandRun.run("jobq", arguments + redis, environment: environment)
            seen.append(("jobq \(arguments.joined(separator: " "))", run.standardOutput + run.standardError))
        }
        let plan = try #require(seen.last?.text)
        #expect(plan.contains("canary-worker --redis redis://:***@127.0.0.1:1/0"), "the duplicates are listed, masked:\n\(plan)")

        supervisor.terminate()
        supervisor.waitUntilExit()
        seen.append(("the supervisor's and the worker's logs", try String(contentsOf: log, encoding: .utf8)))
        let childEnvironment = try String(contentsOf: directory.appendingPathComponent("env.txt"), encoding: .utf8)
        seen.append(("the job process's environment", childEnvironment))
        seen.append(("the job process's argv", try String(contentsOf: directory.appendingPathComponent("argv.txt"), encoding: .utf8)))
        seen.append(("Redis keys", try Self.everyKeyAndValue(RedisConnection(configuration: RedisConfiguration(url: "redis://:\(canary)@127.0.0.1:\(server.port)/0")))))

        #expect(childEnvironment.contains("JOBQ_JOB_ID=\(id)\n"), "the job ran: \(childEnvironment)")
        for name in RedisConfiguration.credentialVariables {
            #expect(!childEnvironment.contains("\(name)="), "\(way): the job process got \(name)")
        }
        for (what, text) in seen {
            #expect(!text.contains(canary), "\(way): \(what) shows the password:\n\(text)")
        }
    }

    /// A process that sleeps with `arguments` in its argv.
    static func sleeper(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "sleep 30", "sh"] + arguments
        try process.run()
        return process
    }

    /// Every key of the server with its value, as text.
    static func everyKeyAndValue(_ connection: RedisConnection) throws -> String {
        var text = ""
        var cursor = "0"
        repeat {
            let reply = try connection.command(["SCAN", RedisArgument(cursor), "COUNT", "1000"]).array ?? []
            cursor = reply.first?.string ?? "0"
            for key in reply.last?.array?.compactMap(\.string) ?? [] {
                let type = try connection.command(["TYPE", RedisArgument(key)]).string ?? ""
                let read: [RedisArgument] = switch type {
                case "string": ["GET", RedisArgument(key)]
                case "hash": ["HGETALL", RedisArgument(key)]
                case "list": ["LRANGE", RedisArgument(key), "0", "-1"]
                case "set": ["SMEMBERS", RedisArgument(key)]
                case "zset": ["ZRANGE", RedisArgument(key), "0", "-1"]
                default: ["TYPE", RedisArgument(key)]
                }
                text += "\(key) \(flatten(try connection.command(read)))\n"
            }
        } while cursor != "0"
        return text
    }

    static func flatten(_ reply: RedisReply) -> String {
        reply.array.map { $0.map(flatten).joined(separator: " ") } ?? reply.string ?? ""
    }
}
