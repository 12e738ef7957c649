import Foundation
import RedisClient
import Testing

/// The `redis-cli` line a fix starts with reaches the configured server, database and user, and
/// points at where the password is instead of showing it.
@Suite struct RedisCLICommandTests {
    @Test func aTCPServerIsNamedByHostPortAndANonDefaultDatabase() throws {
        #expect(RedisCLICommand(try RedisConfiguration(url: "redis://10.0.0.5:6380/2")).line("PING") == "redis-cli -h 10.0.0.5 -p 6380 -n 2 PING")
        #expect(RedisCLICommand(try RedisConfiguration(url: "redis://127.0.0.1:6379/0")).line("PING") == "redis-cli -h 127.0.0.1 -p 6379 PING")
    }

    @Test func aUnixSocketIsNamedWithDashS() throws {
        #expect(RedisCLICommand(try RedisConfiguration(url: "unix:///run/redis/redis server.sock?db=1")).line("PING")
            == "redis-cli -s '/run/redis/redis server.sock' -n 1 PING")
    }

    @Test func thePasswordIsReadFromWhereJobqReadItAndNeverShown() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-cli-\(UUID().uuidString)").path
        try "s3cret\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let fromFile = try RedisConfiguration.resolve(explicitURL: "redis://jobs@127.0.0.1:6379/0", environment: ["JOBQ_REDIS_PASSWORD_FILE": file])
        #expect(RedisCLICommand(fromFile).lines(["PING"]) == [#"REDISCLI_AUTH="$(cat "# + file + #")" redis-cli -h 127.0.0.1 -p 6379 --user jobs PING"#])

        let fromVariable = try RedisConfiguration.resolve(explicitURL: "redis://127.0.0.1:6379/0", environment: ["JOBQ_REDIS_PASSWORD": "s3cret"])
        let line = RedisCLICommand(fromVariable).line("PING")
        #expect(line == #"REDISCLI_AUTH="$JOBQ_REDIS_PASSWORD" redis-cli -h 127.0.0.1 -p 6379 PING"# && !line.contains("s3cret"))

        let inURL = RedisCLICommand(try RedisConfiguration(url: "redis://jobs:s3cret@127.0.0.1:6379/0"))
        #expect(inURL.lines(["PING"]) == [RedisCLICommand.promptLine, "redis-cli -h 127.0.0.1 -p 6379 --user jobs PING"])
    }

    @Test func anAdministratorCommandNamesTheServerButNotTheConfiguredUser() throws {
        let configuration = try RedisConfiguration(url: "redis://jobs:s3cret@127.0.0.1:7000/0")
        #expect(RedisCLICommand(configuration, as: .administrator).lines(["ACL SAVE"]) == ["redis-cli -h 127.0.0.1 -p 7000 ACL SAVE"])
    }
}
