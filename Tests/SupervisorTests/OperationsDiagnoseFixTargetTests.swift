import Foundation
import JobQueue
import JobqTestSupport
import Processes
import RedisClient
import Testing

/// Every `redis-cli` fix `jobq diagnose` prints acts on the Redis it diagnosed (its port, socket,
/// database and user) and never shows the password: `redis-cli` gets it through `REDISCLI_AUTH`.
@Suite struct OperationsDiagnoseFixTargetTests {
    private let password = "c4n4ry-f1x-pw"

    private func diagnose(redis: String, environment: [String: String] = [:]) throws -> (exit: ProcessExit, output: String, error: String) {
        let root = HostFixture.root("healthy")
        return try runJobq(
            ["diagnose", "--root", root, "--redis", redis],
            environment: ["PATH": "\(root)/bin:/usr/bin:/bin"].merging(environment) { $1 })
    }

    /// The printed fix line that contains `command`, without the `    $ ` it is shown with.
    private func fixLine(_ command: String, in output: String) throws -> String {
        let line = try #require(output.split(separator: "\n").first { $0.hasPrefix("    $ ") && $0.contains(command) }, "no fix with \(command):\n\(output)")
        return String(line.dropFirst("    $ ".count))
    }

    /// Runs a printed fix line with bash, as an operator pasting it would.
    private func runFix(_ line: String) throws -> ProcessExit {
        let child = try ChildProcess.launch(LaunchOptions(
            executable: "/bin/bash", arguments: ["-c", line], environment: ["PATH": "/usr/bin:/bin"],
            standardOutput: .discard, standardError: .discard))
        return child.wait(timeout: .seconds(10)) ?? child.terminate(grace: .seconds(1))
    }

    private func evictionPolicy(_ url: String) throws -> String? {
        let reply = try setupConnection(url).command(["CONFIG", "GET", "maxmemory-policy"])
        return reply.array?.last?.string
    }

    @Test func aPasswordFromAFileIsGivenToRedisCliThroughREDISCLI_AUTHAndTheFixReachesThatPortAndDatabase() throws {
        let server = try RedisServer(arguments: ["--requirepass", password, "--maxmemory-policy", "allkeys-lru"])
        defer { server.stop() }
        let passwordFile = server.directory.appendingPathComponent("redis-password").path
        try (password + "\n").write(toFile: passwordFile, atomically: true, encoding: .utf8)

        let run = try diagnose(redis: "redis://127.0.0.1:\(server.port)/3", environment: ["JOBQ_REDIS_PASSWORD_FILE": passwordFile])
        #expect(run.exit.status == 2, "\(run.output)\(run.error)")
        #expect(!run.output.contains(password) && !run.error.contains(password), "the password is never printed")
        let fix = try fixLine("CONFIG SET maxmemory-policy", in: run.output)
        #expect(fix == "REDISCLI_AUTH=\"$(cat \(passwordFile))\" redis-cli -h 127.0.0.1 -p \(server.port) -n 3 CONFIG SET maxmemory-policy noeviction")
        #expect(try fixLine("CONFIG REWRITE", in: run.output).hasPrefix("REDISCLI_AUTH=\"$(cat \(passwordFile))\" redis-cli -h 127.0.0.1 -p \(server.port) -n 3 "))

        #expect(try runFix(fix).status == 0)
        #expect(try evictionPolicy("redis://:\(password)@127.0.0.1:\(server.port)/0") == "noeviction", "the printed fix changed the diagnosed Redis")
    }

    @Test func aPasswordInTheURLIsTypedIntoREDISCLI_AUTHFirstAndTheUserIsNamed() throws {
        let server = try RedisServer(arguments: ["--maxmemory-policy", "allkeys-lru"])
        defer { server.stop() }
        let admin = try setupConnection(server.url)
        try admin.command(["ACL", "SETUSER", "ops", "on", RedisArgument(">" + password), "~*", "+@all"])

        let run = try diagnose(redis: "redis://ops:\(password)@127.0.0.1:\(server.port)/0")
        #expect(run.exit.status == 2, "\(run.output)\(run.error)")
        #expect(!run.output.contains(password), "the password is never printed")
        #expect(run.output.contains("    $ \(RedisCLICommand.promptLine)\n    $ redis-cli -h 127.0.0.1 -p \(server.port) --user ops CONFIG SET maxmemory-policy noeviction\n"), "\(run.output)")
    }

    @Test func aRedisOnAUnixSocketGetsFixesThatNameTheSocket() throws {
        let socket = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-fix-\(UUID().uuidString.prefix(8)).sock").path
        let server = try RedisServer(arguments: ["--maxmemory-policy", "allkeys-lru", "--unixsocket", socket, "--unixsocketperm", "700"])
        defer { server.stop() }

        let run = try diagnose(redis: "unix://\(socket)")
        #expect(run.exit.status == 2, "\(run.output)\(run.error)")
        let fix = try fixLine("CONFIG SET maxmemory-policy", in: run.output)
        #expect(fix == "redis-cli -s \(socket) CONFIG SET maxmemory-policy noeviction")
        #expect(try runFix(fix).status == 0)
        #expect(try evictionPolicy(server.url) == "noeviction", "the printed fix changed the diagnosed Redis")
    }
}
