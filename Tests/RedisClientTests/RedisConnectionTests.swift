import Foundation
import JobqTestSupport
import RedisClient
import Testing

@Suite("Redis connection over hiredis") struct RedisConnectionTests {
    @Test func urlsOfEveryFormParse() throws {
        let tcp = try RedisConfiguration(url: "redis://worker:s%3Acret@10.0.0.5:6380/3")
        #expect(tcp.endpoint == .tcp(host: "10.0.0.5", port: 6380))
        #expect(tcp.username == "worker" && tcp.password == "s:cret" && tcp.database == 3)
        let passwordOnly = try RedisConfiguration(url: "redis://:pw@localhost")
        #expect(passwordOnly.username == nil && passwordOnly.password == "pw" && passwordOnly.endpoint == .tcp(host: "localhost", port: 6379))
        let unix = try RedisConfiguration(url: "unix:///run/redis/redis.sock?db=2")
        #expect(unix.endpoint == .unix(path: "/run/redis/redis.sock") && unix.database == 2)
        let v6 = try RedisConfiguration(url: "redis://[::1]:7000/0")
        #expect(v6.endpoint == .tcp(host: "::1", port: 7000))
        let named = try RedisConfiguration(url: "redis://app:p%40ss@redis-a.example:6390?x=1")
        #expect(named.endpoint == .tcp(host: "redis-a.example", port: 6390) && named.password == "p@ss")
        let bare = try RedisConfiguration(url: "redis://")
        #expect(bare.endpoint == .tcp(host: "127.0.0.1", port: 6379))
        for bad in ["http://x", "rediss://x", "redis://x/notanumber", "redis://x:99999", "unix://", "not a url at all"] {
            #expect(throws: RedisError.self, "\(bad)") { try RedisConfiguration(url: bad) }
        }
    }

    @Test func passwordNeverAppearsInDescriptionsOrErrors() throws {
        let configuration = try RedisConfiguration(url: "redis://app:hunter2@127.0.0.1:1/0")
        #expect(!configuration.description.contains("hunter2"))
        #expect(configuration.description.contains("***"))
        let error = try #require(throws: RedisError.self) { try RedisConnection(configuration: configuration) }
        #expect(!error.message.contains("hunter2"))
        #expect(try RedisConfiguration(url: configuration.urlWithSecret).password == "hunter2")
    }

    @Test func urlIsResolvedFromFlagThenEnvironmentThenDefault() throws {
        #expect(try RedisConfiguration.resolve(explicitURL: "redis://a:1/0", environment: ["JOBQ_REDIS_URL": "redis://b:2/0"]).endpoint == .tcp(host: "a", port: 1))
        #expect(try RedisConfiguration.resolve(explicitURL: nil, environment: ["JOBQ_REDIS_URL": "redis://b:2/0", "REDIS_URL": "redis://c:3/0"]).endpoint == .tcp(host: "b", port: 2))
        #expect(try RedisConfiguration.resolve(explicitURL: nil, environment: ["REDIS_URL": "redis://c:3/0"]).endpoint == .tcp(host: "c", port: 3))
        #expect(try RedisConfiguration.resolve(explicitURL: nil, environment: [:]).endpoint == .tcp(host: "127.0.0.1", port: 6379))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-secret-\(UUID().uuidString)")
        try "from-file\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try RedisConfiguration.resolve(explicitURL: nil, environment: ["JOBQ_REDIS_PASSWORD_FILE": file.path]).password == "from-file")
        #expect(try RedisConfiguration.resolve(explicitURL: "redis://:inurl@h/0", environment: ["JOBQ_REDIS_PASSWORD_FILE": file.path]).password == "inurl")
        #expect(throws: RedisError.self) { try RedisConfiguration.resolve(explicitURL: nil, environment: ["JOBQ_REDIS_PASSWORD_FILE": "/no/such/file"]) }
    }

    @Test func connectionRefusedIsATransportErrorNamingTheAddress() throws {
        let error = try #require(throws: RedisError.self) { try RedisConnection(configuration: RedisConfiguration(url: "redis://127.0.0.1:1/0")) }
        #expect(error.code == .connectionFailed)
        #expect(error.isTransport)
        #expect(error.message.contains("127.0.0.1:1"))
    }

    @Test func passwordAndACLUserAuthenticateAndWrongOnesAreRefused() throws {
        let server = try RedisServer(arguments: ["--requirepass", "s3cret"])
        defer { server.stop() }
        let base = "127.0.0.1:\(server.port)"
        let good = try RedisConnection(configuration: RedisConfiguration(url: "redis://:s3cret@\(base)/0"))
        #expect(try good.command(["PING"]) == .status("PONG"))
        try good.command(["ACL", "SETUSER", "worker", "on", ">w0rker", "~*", "+@all"])
        let user = try RedisConnection(configuration: RedisConfiguration(url: "redis://worker:w0rker@\(base)/2"))
        #expect(try user.command(["ACL", "WHOAMI"]).string == "worker")
        #expect(try user.command(["CLIENT", "INFO"]).string?.contains("db=2") == true)
        let wrong = try #require(throws: RedisError.self) { try RedisConnection(configuration: RedisConfiguration(url: "redis://:nope@\(base)/0")) }
        #expect(wrong.code == .authenticationFailed)
        #expect(!wrong.message.contains("nope"))
        let missing = try #require(throws: RedisError.self) {
            try RedisConnection(configuration: RedisConfiguration(url: "redis://\(base)/0")).command(["GET", "x"])
        }
        #expect(missing.code == .authenticationFailed)
    }

    @Test func unixSocketConnects() throws {
        let socket = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-\(UUID().uuidString.prefix(8)).sock").path
        let server = try RedisServer(arguments: ["--unixsocket", socket])
        defer { server.stop() }
        let connection = try RedisConnection(configuration: RedisConfiguration(url: "unix://\(socket)?db=1"))
        #expect(try connection.command(["PING"]) == .status("PONG"))
    }

    @Test func argumentsOfEveryShapeReachTheServerByteForByte() throws {
        let connection = try TestRedis.connection()
        let key = "jobq-test:\(UUID().uuidString)"
        defer { _ = try? connection.command(["DEL", RedisArgument(key)]) }
        // Empty, control bytes and CRLF inside, invalid UTF-8, and lengths of one to seven digits.
        let values: [[UInt8]] = [
            [], [0], Array("a\r\nb".utf8), [0xFF, 0xFE, 0x0D, 0x0A, 0x24, 0x2A], Array(repeating: 0x78, count: 9),
            Array(repeating: 0x79, count: 10), (0..<1_000_003).map { UInt8(truncatingIfNeeded: $0) },
        ]
        for value in values {
            try connection.command(["SET", RedisArgument(key), RedisArgument(bytes: value)])
            #expect(try connection.command(["GET", RedisArgument(key)]) == .bulk(value), "\(value.count) bytes")
        }
        // A batch far larger than the encoder's first buffer, commands of many arguments among them.
        let fields = (0..<300).map { RedisArgument("field-\($0)") }
        let batch: [[RedisArgument]] = [["DEL", RedisArgument(key)], ["HSET", RedisArgument(key)] + fields.flatMap { [$0, $0] }]
            + fields.map { ["HGET", RedisArgument(key), $0] }
        let replies = try connection.pipeline(batch)
        #expect(replies[1] == .integer(300))
        #expect(replies.dropFirst(2).map(\.string) == fields.map { String(decoding: $0.bytes, as: UTF8.self) })
        // Integers as decimal text, the extremes included.
        for number in [0, 7, 10, -1, -10, 1_234_567_890, Int.max, Int.min] {
            #expect(RedisArgument(number).bytes == Array(String(number).utf8))
            #expect(try connection.command(["ECHO", RedisArgument(number)]).string == String(number))
        }
    }

    @Test func serverErrorRepliesAreNotTransportErrorsAndLeaveTheConnectionUsable() throws {
        let connection = try TestRedis.connection()
        let key = "jobq-test:\(UUID().uuidString)"
        try connection.command(["SET", RedisArgument(key), "text"])
        defer { _ = try? connection.command(["DEL", RedisArgument(key)]) }
        let error = try #require(throws: RedisError.self) { try connection.command(["LPUSH", RedisArgument(key), "x"]) }
        #expect(error.code == .serverError && error.serverErrorKind == "WRONGTYPE" && !error.isTransport)
        #expect(try connection.command(["GET", RedisArgument(key)]).string == "text")
        let replies = try connection.pipeline([["GET", RedisArgument(key)], ["LPUSH", RedisArgument(key), "x"], ["STRLEN", RedisArgument(key)]])
        #expect(replies.count == 3)
        #expect(replies[0].string == "text")
        if case .error(let text) = replies[1] { #expect(text.hasPrefix("WRONGTYPE")) } else { Issue.record("expected an error reply") }
        #expect(replies[2] == .integer(4))
    }

    @Test func blockingCommandLongerThanTheCommandTimeoutStillGetsItsReply() throws {
        let server = try RedisServer(arguments: ["--enable-debug-command", "yes"])
        defer { server.stop() }
        var configuration = try RedisConfiguration(url: server.url)
        configuration.commandTimeout = .milliseconds(300)
        configuration.blockingMargin = .milliseconds(500)
        let connection = try RedisConnection(configuration: configuration)
        let key = "jobq-test:block:\(UUID().uuidString)"
        let start = ContinuousClock.now
        let reply = try connection.blockingCommand(["BLPOP", RedisArgument(key), "1"], timeout: .seconds(1))
        #expect(reply.isNull)
        #expect(ContinuousClock.now - start >= .milliseconds(900))
        // An ordinary command that takes longer than the command timeout is cut off, as a timeout.
        let error = try #require(throws: RedisError.self) { try connection.command(["DEBUG", "SLEEP", "0.8"]) }
        #expect(error.code == .timeout)
        usleep(600_000)
        #expect(try connection.command(["PING"]) == .status("PONG"), "a new connection is opened after the timeout")
    }

    @Test func aScriptSentBehindABlockingCommandRunsTheMomentTheWaitEnds() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let configuration = try RedisConfiguration(url: server.url)
        let connection = try RedisConnection(configuration: configuration)
        let pusher = try RedisConnection(configuration: configuration)
        let source = "jobq-test:{wake}:source", destination = "jobq-test:{wake}:destination"
        // The script reads what the wait moved: it can only see the entry if it ran after the wait.
        let script = RedisScript(name: "test-after-wait", source: "return redis.call('LRANGE', KEYS[1], 0, -1)")
        func wait(_ seconds: String) -> [RedisArgument] {
            ["BLMOVE", RedisArgument(source), RedisArgument(destination), "RIGHT", "LEFT", RedisArgument(seconds)]
        }
        let entry = RedisReply.bulk(Array("entry".utf8))
        let late = Thread {
            usleep(200_000)
            _ = try? pusher.command(["LPUSH", RedisArgument(source), "entry"])
        }
        late.start()
        let woken = try connection.blockingCommand(wait("5"), timeout: .seconds(5), then: script, keys: [destination], arguments: [])
        #expect(woken.command == entry)
        #expect(woken.script == .array([entry]))
        // At the timeout the script runs all the same.
        let timedOut = try connection.blockingCommand(wait("0.05"), timeout: .milliseconds(50), then: script, keys: [destination], arguments: [])
        #expect(timedOut.command.isNull)
        #expect(timedOut.script == .array([entry]))
        // A refused command is an error reply, not a thrown error, and the script still answers.
        try connection.command(["SET", RedisArgument(source), "not a list"])
        let refused = try connection.blockingCommand(wait("1"), timeout: .seconds(1), then: script, keys: [destination], arguments: [])
        if case .error(let text) = refused.command { #expect(text.hasPrefix("WRONGTYPE")) } else { Issue.record("expected an error reply") }
        #expect(refused.script == .array([entry]))
        #expect(try connection.command(["PING"]) == .status("PONG"), "nothing was left unread")
    }

    @Test func scriptsAreReloadedAfterTheServerForgetsThem() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let connection = try RedisConnection(configuration: RedisConfiguration(url: server.url))
        let script = RedisScript(name: "test-add", source: "return tonumber(ARGV[1]) + 1")
        #expect(try connection.run(script, keys: [], arguments: ["41"]) == .integer(42))
        try connection.command(["SCRIPT", "FLUSH"])
        #expect(try connection.run(script, keys: [], arguments: ["1"]) == .integer(2))
        try connection.command(["SCRIPT", "FLUSH"])
        let replies = try connection.runPipelined(script, calls: [(keys: [], arguments: ["1"]), (keys: [], arguments: ["2"])])
        #expect(replies == [.integer(2), .integer(3)])
    }

    @Test func connectionLostToARestartedServerIsReportedOnceThenReopened() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let connection = try RedisConnection(configuration: RedisConfiguration(url: server.url))
        #expect(try connection.command(["PING"]) == .status("PONG"))
        server.stop()
        try server.start()
        let error = try #require(throws: RedisError.self) { try connection.command(["PING"]) }
        #expect(error.isTransport)
        #expect(try connection.command(["PING"]) == .status("PONG"))
    }
}
