import Foundation
import RedisClient
import Testing

@Suite("Where the Redis password comes from") struct RedisCredentialSourceTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-credentials-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    @Test func aSystemdCredentialIsReadWhenNothingElseGivesAPassword() throws {
        try "from-credential\n".write(to: directory.appendingPathComponent("redis-password"), atomically: true, encoding: .utf8)
        let environment = ["CREDENTIALS_DIRECTORY": directory.path]
        #expect(try RedisConfiguration.resolve(explicitURL: nil, environment: environment).password == "from-credential")
        let file = directory.appendingPathComponent("file")
        try "from-file".write(to: file, atomically: true, encoding: .utf8)
        let both = environment.merging(["JOBQ_REDIS_PASSWORD_FILE": file.path]) { $1 }
        #expect(try RedisConfiguration.resolve(explicitURL: nil, environment: both).password == "from-file", "the password file comes first")
        #expect(try RedisConfiguration.resolve(explicitURL: nil, environment: ["CREDENTIALS_DIRECTORY": directory.appendingPathComponent("none").path]).password == nil)
    }

    @Test func anUnreadablePasswordFileIsAnErrorThatNamesItButNoSecret() throws {
        let error = try #require(throws: RedisError.self) {
            try RedisConfiguration.resolve(explicitURL: nil, environment: ["JOBQ_REDIS_PASSWORD_FILE": "/nonexistent/pw"])
        }
        #expect(error.code == .invalidConfiguration && error.message.contains("/nonexistent/pw"))
    }

    @Test func aPasswordOnTheCommandLineGetsAWarningAndNoneOtherwise() throws {
        let warning = try #require(RedisConfiguration.commandLinePasswordWarning(explicitURL: "redis://:c4n4ry@127.0.0.1:6379/0"))
        #expect(warning.contains("JOBQ_REDIS_PASSWORD_FILE") && warning.contains("redis-password") && !warning.contains("c4n4ry"))
        #expect(!warning.contains("\n"))
        #expect(RedisConfiguration.commandLinePasswordWarning(explicitURL: "redis://127.0.0.1:6379/0") == nil)
        #expect(RedisConfiguration.commandLinePasswordWarning(explicitURL: nil) == nil)
    }

    @Test func everyVariableThatLeadsToACredentialIsListed() {
        for name in ["REDIS_URL", "JOBQ_REDIS_URL", "JOBQ_REDIS_PASSWORD", "JOBQ_REDIS_PASSWORD_FILE", "CREDENTIALS_DIRECTORY"] {
            #expect(RedisConfiguration.credentialVariables.contains(name))
        }
    }
}
