import Foundation
import JobqTestSupport
import RedisClient
import Testing

/// A connection behind `redis+sentinel://` against a real master, replica and three sentinels.
@Suite("Sentinel: finding and following the master", .serialized) struct SentinelTests {
    /// The port of the node a connection is talking to.
    private func port(of connection: RedisConnection) throws -> Int {
        let reply = try connection.command(["CONFIG", "GET", "port"])
        return Int(reply.array?.last?.string ?? "") ?? -1
    }

    /// Retries `body` through retryable errors for up to `timeout`; returns how many failed first.
    @discardableResult
    private func retrying(for timeout: Duration = .seconds(15), _ body: () throws -> Void) throws -> Int {
        let deadline = ContinuousClock.now + timeout
        var failures = 0
        while true {
            do {
                try body()
                return failures
            } catch let error as RedisError where error.isRetryable && ContinuousClock.now < deadline {
                failures += 1
                usleep(50_000)
            }
        }
    }

    @Test func connectionFindsTheMasterThroughTheSentinelsSkippingOnesThatAreDown() throws {
        let group = try RedisSentinelGroup()
        defer { group.stop() }
        // A sentinel address where nothing listens comes first: it is skipped.
        let url = group.url.replacingOccurrences(of: "redis+sentinel://", with: "redis+sentinel://127.0.0.1:1,")
        let connection = try RedisConnection(configuration: RedisConfiguration(url: url))
        try connection.command(["SET", "sentinel-found", "yes"])
        #expect(try port(of: connection) == group.nodes[0].port)
        #expect(try connection.command(["ROLE"]).array?.first?.string == "master")
        #expect(try group.connection(to: group.nodes[0]).command(["GET", "sentinel-found"]).string == "yes")
    }

    @Test func lazyConnectionLoadsScriptsOnTheMasterTheSentinelsName() throws {
        let group = try RedisSentinelGroup()
        defer { group.stop() }
        // Opened by its first command, a script the master does not have yet: the library is
        // loaded on the master the sentinels named, not on the URL's placeholder address.
        let connection = RedisConnection(openingLazily: try RedisConfiguration(url: group.url))
        let library = RedisScriptLibrary(
            name: "sentineltest", shared: "", prologue: "", scripts: [(name: "set", body: "redis.call('SET', KEYS[1], ARGV[1]) return 1")])
        #expect(try connection.run(library.script("set"), keys: ["lazy-script"], arguments: ["ran"]) == .integer(1))
        #expect(try group.connection(to: group.nodes[0]).command(["GET", "lazy-script"]).string == "ran")
        let pipelined = RedisConnection(openingLazily: try RedisConfiguration(url: group.url))
        try group.connection(to: group.nodes[0]).command(["FUNCTION", "FLUSH"])
        let replies = try pipelined.runPipelined(library.script("set"), calls: [(keys: ["a"], arguments: ["1"]), (keys: ["b"], arguments: ["2"])])
        #expect(replies == [.integer(1), .integer(1)])
    }

    @Test func connectionFollowsASentinelFailoverToTheNewMaster() throws {
        let group = try RedisSentinelGroup()
        defer { group.stop() }
        let connection = try RedisConnection(configuration: RedisConfiguration(url: group.url))
        try connection.command(["SET", "before", "1"])
        let old = try port(of: connection)
        let new = try group.failover()
        #expect(new != old)
        try retrying { try connection.command(["SET", "after", "1"]) }
        #expect(try port(of: connection) == new)
        #expect(try group.connection(to: group.nodes.first { $0.port == new }!).command(["GET", "after"]).string == "1")
    }

    @Test func readOnlyReplyMakesTheConnectionAskTheSentinelsAgain() throws {
        let group = try RedisSentinelGroup()
        defer { group.stop() }
        var configuration = try RedisConfiguration(url: group.url)
        configuration.sentinel?.checkInterval = .seconds(3600)  // only the READONLY reply may move it
        let connection = try RedisConnection(configuration: configuration)
        let oldMaster = try group.master()
        try connection.command(["SET", "k", "1"])
        let new = try group.failover()
        // Demote the old master at once (the sentinels would in a few seconds), without dropping
        // its clients: the connection's next write meets READONLY.
        _ = try group.connection(to: oldMaster).command(["REPLICAOF", "127.0.0.1", RedisArgument(new)])
        #expect(try group.connection(to: oldMaster).command(["ROLE"]).array?.first?.string == "slave")
        let error = try #require(throws: RedisError.self) { try connection.command(["SET", "k", "2"]) }
        #expect(error.code == .unavailable && error.serverErrorKind == "READONLY" && error.isRetryable)
        try connection.command(["SET", "k", "3"])
        #expect(try port(of: connection) == new)
    }

    @Test func periodicCheckLeavesAnOldMasterThatStillTakesWrites() throws {
        // The old master cannot be demoted (REPLICAOF renamed away): it goes on taking writes after
        // the failover, as a partitioned master would. Only asking the sentinels finds the new one.
        let group = try RedisSentinelGroup(masterArguments: ["--rename-command", "REPLICAOF", "", "--rename-command", "SLAVEOF", ""])
        defer { group.stop() }
        let checking = try RedisConnection(configuration: RedisConfiguration(url: group.url))
        var neverChecks = try RedisConfiguration(url: group.url)
        neverChecks.sentinel?.checkInterval = .seconds(3600)
        let stale = try RedisConnection(configuration: neverChecks)
        try checking.command(["SET", "k", "1"])
        try stale.command(["SET", "k", "1"])
        let old = try port(of: checking)
        let new = try group.failover()
        let started = ContinuousClock.now
        let moved = try eventually(timeout: .seconds(5)) {
            try checking.command(["INCR", "writes"])
            return try port(of: checking) == new
        }
        #expect(moved, "the connection went on writing to the old master")
        #expect(ContinuousClock.now - started < .seconds(3), "the check runs every second")
        // Without the check the connection stays with the old master, which still says it is one.
        try stale.command(["SET", "k", "2"])
        #expect(try port(of: stale) == old)
    }

    @Test func masterKilledTheConnectionFindsThePromotedReplica() throws {
        let group = try RedisSentinelGroup()
        defer { group.stop() }
        let connection = try RedisConnection(configuration: RedisConfiguration(url: group.url))
        try connection.command(["SET", "k", "1"])
        let old = try group.master()
        old.signal(SIGKILL)
        let started = ContinuousClock.now
        let failures = try retrying(for: .seconds(30)) { try connection.command(["SET", "k", "2"]) }
        let followed = ContinuousClock.now - started
        #expect(failures > 0)
        #expect(try port(of: connection) == group.nodes[1].port)
        print("sentinel: master SIGKILLed, the connection wrote to the promoted replica after \(followed) (\(failures) failed tries)")
    }

    @Test func frozenSentinelsDoNotSlowCommandsDown() throws {
        let group = try RedisSentinelGroup()
        defer { group.stop() }
        let connection = try RedisConnection(configuration: RedisConfiguration(url: group.url))
        try connection.command(["SET", "k", "0"])
        // Frozen sentinels accept nothing and answer nothing: every ask waits for the 1 s timeout.
        for sentinel in group.sentinels { if let pid = sentinel.pid { kill(pid, SIGSTOP) } }
        defer { for sentinel in group.sentinels { if let pid = sentinel.pid { kill(pid, SIGCONT) } } }
        var slowest = Duration.zero
        var commands = 0
        let end = ContinuousClock.now + .seconds(6)
        while ContinuousClock.now < end {
            let started = ContinuousClock.now
            try connection.command(["INCR", "k"])
            slowest = max(slowest, ContinuousClock.now - started)
            commands += 1
        }
        // One frozen sentinel asked at a time, less and less often: about 1 s lost in the first
        // seconds, 2 s in 6 s at most.
        #expect(slowest < .milliseconds(1500), "one command waited \(slowest)")
        #expect(try connection.command(["GET", "k"]).integer == Int64(commands))
        #expect(commands > 500)
    }

    @Test func allSentinelsDownIsAClearErrorNotAHang() throws {
        let started = ContinuousClock.now
        let error = try #require(throws: RedisError.self) {
            try RedisConnection(configuration: RedisConfiguration(url: "redis+sentinel://127.0.0.1:1,127.0.0.1:2,127.0.0.1:3/jobs/0"))
        }
        #expect(ContinuousClock.now - started < .seconds(3))
        #expect(error.code == .connectionFailed && error.isRetryable)
        #expect(error.message.contains("no sentinel answered"))
        for port in 1...3 { #expect(error.message.contains("127.0.0.1:\(port)")) }
    }

    @Test func unknownMasterNameIsAConfigurationError() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let sentinel = try RedisSentinelProcess(masterName: "known", masterPort: server.port)
        defer { sentinel.stop() }
        let error = try #require(throws: RedisError.self) {
            try RedisConnection(configuration: RedisConfiguration(url: "redis+sentinel://127.0.0.1:\(sentinel.port)/unknown"))
        }
        #expect(error.code == .invalidConfiguration && !error.isRetryable)
        #expect(error.message.contains("'unknown'"))
        let found = try RedisConnection(configuration: RedisConfiguration(url: "redis+sentinel://127.0.0.1:\(sentinel.port)/known"))
        #expect(try port(of: found) == server.port)
    }

    @Test func sentinelPasswordIsSentToTheSentinels() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let sentinel = try RedisSentinelProcess(masterName: "guarded", masterPort: server.port, extraLines: ["requirepass sentinel-secret"])
        defer { sentinel.stop() }
        let url = "redis+sentinel://127.0.0.1:\(sentinel.port)/guarded"
        let refused = try #require(throws: RedisError.self) { try RedisConnection(configuration: RedisConfiguration(url: url)) }
        #expect(refused.code == .authenticationFailed && refused.message.contains("JOBQ_SENTINEL_PASSWORD"))
        let configuration = try RedisConfiguration.resolve(explicitURL: url, environment: ["JOBQ_SENTINEL_PASSWORD": "sentinel-secret"])
        #expect(try port(of: RedisConnection(configuration: configuration)) == server.port)
    }
}
