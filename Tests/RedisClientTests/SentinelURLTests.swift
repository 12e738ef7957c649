import Foundation
import RedisClient
import Testing

@Suite("redis+sentinel:// URLs and the sentinels' password") struct SentinelURLTests {
    @Test func sentinelURLNamesEverySentinelTheMasterAndTheDatabase() throws {
        let full = try RedisConfiguration(url: "redis+sentinel://app:s%3Acret@10.0.0.1:26380,sentinel-b,[::1]:26400/jobs/3")
        let sentinel = try #require(full.sentinel)
        #expect(sentinel.addresses == [
            .init(host: "10.0.0.1", port: 26380), .init(host: "sentinel-b", port: 26379), .init(host: "::1", port: 26400),
        ])
        #expect(sentinel.masterName == "jobs")
        #expect(full.database == 3 && full.username == "app" && full.password == "s:cret" && full.passwordSource == .url)
        #expect(sentinel.password == nil)
        #expect(sentinel.checkInterval == .seconds(1) && sentinel.timeout == .seconds(1))

        let minimal = try RedisConfiguration(url: "REDIS+SENTINEL://127.0.0.1/mymaster")
        #expect(minimal.sentinel?.addresses == [.init(host: "127.0.0.1", port: 26379)] && minimal.database == 0)
        #expect(minimal.username == nil && minimal.password == nil)
    }

    @Test func malformedSentinelURLsAreRefusedNamingTheProblem() throws {
        let cases: [(String, String)] = [
            ("redis+sentinel://127.0.0.1:26379", "master's name"),
            ("redis+sentinel:///mymaster", "at least one sentinel"),
            ("redis+sentinel://h1:26379,,h2/mymaster", "no host"),
            ("redis+sentinel://h1:0/mymaster", "not in 1-65535"),
            ("redis+sentinel://h1:port/mymaster", "not in 1-65535"),
            ("redis+sentinel://h1/mymaster/x", "not a number"),
            ("redis+sentinel://h1/mymaster/0/extra", "after the database"),
            ("redis+sentinel://h1/mymaster?timeout=3", "unknown URL parameter"),
        ]
        for (url, expected) in cases {
            let error = try #require(throws: RedisError.self, "\(url)") { try RedisConfiguration(url: url) }
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains(expected), "\(url): \(error.message)")
        }
    }

    @Test func sentinelSecretsNeverShowAndTheURLWithSecretRoundTrips() throws {
        var configuration = try RedisConfiguration(url: "redis+sentinel://app:data%40pw@127.0.0.1:1,127.0.0.1:2/jobs/2")
        configuration.sentinel?.password = "sentinel&pw=1"
        #expect(!configuration.description.contains("data"))
        #expect(!configuration.description.contains("sentinel&pw"))
        #expect(configuration.description == "redis+sentinel://app:***@127.0.0.1:1,127.0.0.1:2/jobs/2?sentinel_password=***")
        let again = try RedisConfiguration(url: configuration.urlWithSecret)
        #expect(again.password == "data@pw" && again.username == "app" && again.database == 2)
        #expect(again.sentinel?.password == "sentinel&pw=1")
        #expect(again.sentinel?.addresses == configuration.sentinel?.addresses && again.sentinel?.masterName == "jobs")
        #expect(again.urlWithSecret == configuration.urlWithSecret)
        // Free text that carries the URL (a log line, an environment dump) is masked too.
        let redacted = SecretRedaction.redact("JOBQ_REDIS_URL=\(configuration.urlWithSecret) next")
        #expect(!redacted.contains("data%40pw") && !redacted.contains("sentinel%26pw"), "\(redacted)")
        #expect(RedisConfiguration.commandLinePasswordWarning(explicitURL: "redis+sentinel://h/m?sentinel_password=x") != nil)
        #expect(RedisConfiguration.commandLinePasswordWarning(explicitURL: "redis+sentinel://h/m") == nil)
    }

    @Test func sentinelPasswordComesFromTheEnvironmentOrAFileAndIsWithheldFromJobs() throws {
        let url = "redis+sentinel://127.0.0.1:26379/jobs"
        let fromVariable = try RedisConfiguration.resolve(explicitURL: url, environment: ["JOBQ_SENTINEL_PASSWORD": "s1", "JOBQ_REDIS_PASSWORD": "d1"])
        #expect(fromVariable.sentinel?.password == "s1" && fromVariable.sentinel?.passwordSource == .environment("JOBQ_SENTINEL_PASSWORD"))
        #expect(fromVariable.password == "d1")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-sentinel-secret-\(UUID().uuidString)")
        try "from-file\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let fromFile = try RedisConfiguration.resolve(explicitURL: url, environment: ["JOBQ_SENTINEL_PASSWORD_FILE": file.path])
        #expect(fromFile.sentinel?.password == "from-file" && fromFile.sentinel?.passwordSource == .file(file.path))
        #expect(fromFile.password == nil)
        let inURL = try RedisConfiguration.resolve(explicitURL: url + "?sentinel_password=u", environment: ["JOBQ_SENTINEL_PASSWORD": "s1"])
        #expect(inURL.sentinel?.password == "u")
        #expect(throws: RedisError.self) { try RedisConfiguration.resolve(explicitURL: url, environment: ["JOBQ_SENTINEL_PASSWORD_FILE": "/no/such/file"]) }
        // A plain URL ignores the sentinel variables.
        #expect(try RedisConfiguration.resolve(explicitURL: "redis://h/0", environment: ["JOBQ_SENTINEL_PASSWORD": "s1"]).sentinel == nil)
        #expect(RedisConfiguration.credentialVariables.isSuperset(of: ["JOBQ_SENTINEL_PASSWORD", "JOBQ_SENTINEL_PASSWORD_FILE"]))
    }

    @Test func redisCLICommandAsksTheFirstSentinelForTheMaster() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-sentinel-pw-\(UUID().uuidString)")
        try "pw\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let configuration = try RedisConfiguration.resolve(
            explicitURL: "redis+sentinel://10.0.0.1:26380,10.0.0.2/jobq-master/2",
            environment: ["JOBQ_SENTINEL_PASSWORD_FILE": file.path, "JOBQ_REDIS_PASSWORD": "x"])
        let ask = #"REDISCLI_AUTH="$(cat "# + file.path + #")" redis-cli -h 10.0.0.1 -p 26380 --raw SENTINEL get-master-addr-by-name jobq-master"#
        #expect(RedisCLICommand(configuration).line("PING")
            == #"REDISCLI_AUTH="$JOBQ_REDIS_PASSWORD" redis-cli -h "$("# + ask + #" | head -1)" -p "$("# + ask + #" | tail -1)" -n 2 PING"#)
    }
}
