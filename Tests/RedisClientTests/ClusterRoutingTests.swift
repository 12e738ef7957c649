import Foundation
import JobqTestSupport
import RedisClient
import Testing

/// A connection given one master of a real three-master cluster: each command goes to the node
/// that owns its key, redirections are followed, and a broken cluster gives a clear error.
@Suite("Redis Cluster routing", .serialized) struct ClusterRoutingTests {
    /// Shared by the tests that do not change the cluster's shape.
    private static let shared = Result { try RedisCluster() }

    private func uniqueKey(_ label: String) -> String { "cluster-test:\(label):\(UUID().uuidString)" }

    /// How many error replies of a kind (`MOVED`, `ASK`, `TRYAGAIN`) a node has sent.
    private func errorCount(_ kind: String, on node: RedisServer, of cluster: RedisCluster) throws -> Int {
        let info = try cluster.command(["INFO", "errorstats"], on: node).string ?? ""
        let line = info.split(whereSeparator: \.isNewline).first { $0.hasPrefix("errorstat_\(kind):") }
        return line.flatMap { Int($0.split(separator: "=").last ?? "") } ?? 0
    }

    private func errorCounts(_ kind: String, _ cluster: RedisCluster) throws -> Int {
        try cluster.nodes.reduce(0) { $0 + (try errorCount(kind, on: $1, of: cluster)) }
    }

    @Test func everyKeyGoesStraightToTheMasterThatOwnsIt() throws {
        let cluster = try Self.shared.get()
        let connection = try RedisConnection(configuration: RedisConfiguration(url: cluster.url))
        #expect(try connection.isCluster)
        #expect(try Set(connection.primaries()) == Set(cluster.nodes.map(cluster.endpoint)))
        _ = try connection.command(["PING"])
        let movedBefore = try errorCounts("MOVED", cluster)
        let keys = (0..<60).map { uniqueKey("straight-\($0)") }
        for key in keys { try connection.command(["SET", RedisArgument(key), RedisArgument(key)]) }
        #expect(try errorCounts("MOVED", cluster) == movedBefore, "a command went to a node that does not own its key")
        var owners = Set<Int>()
        for key in keys {
            let owner = try cluster.owner(ofSlot: cluster.slot(of: key))
            owners.insert(owner.port)
            #expect(try cluster.command(["GET", RedisArgument(key)], on: owner).string == key)
        }
        #expect(owners.count == 3, "60 random keys should land on all three masters")
    }

    @Test func hashTagsKeepKeysTogetherAndPipelinesKeepTheirOrderAcrossNodes() throws {
        let cluster = try Self.shared.get()
        let connection = try RedisConnection(configuration: RedisConfiguration(url: cluster.url))
        let tag = UUID().uuidString
        #expect(try cluster.slot(of: "jobq:{\(tag)}:wait") == cluster.slot(of: "jobq:{\(tag)}:job:1"))
        // A multi-key command on one hash tag works; the queue's keys share a slot.
        try connection.command(["RPUSH", RedisArgument("jobq:{\(tag)}:wait"), "a", "b"])
        #expect(try connection.command(["LMOVE", RedisArgument("jobq:{\(tag)}:wait"), RedisArgument("jobq:{\(tag)}:claim:c"), "RIGHT", "LEFT"]).string == "b")
        let keys = (0..<30).map { uniqueKey("pipeline-\($0)") }
        let writes = try connection.pipeline(keys.enumerated().map { ["SET", RedisArgument($1), RedisArgument($0)] })
        #expect(writes.allSatisfy { $0 == .status("OK") })
        let reads = try connection.pipeline(keys.flatMap { [["GET", RedisArgument($0)], ["PING"]] })
        #expect(reads.enumerated().allSatisfy { index, reply in index % 2 == 1 ? reply == .status("PONG") : reply.integer == Int64(index / 2) })
        #expect(throws: RedisError.self) { try connection.command(["MGET", RedisArgument(keys[0]), RedisArgument(keys[1]), RedisArgument(keys[2])]) }
    }

    @Test func functionsAreLoadedOnEachMasterThatLacksThem() throws {
        let cluster = try Self.shared.get()
        let connection = try RedisConnection(configuration: RedisConfiguration(url: cluster.url))
        let library = RedisScriptLibrary(
            name: "clustertest", shared: "", prologue: "local key = KEYS[1]",
            scripts: [(name: "echo-\(UUID().uuidString.prefix(8))", body: "redis.call('SET', key, ARGV[1]); return redis.call('GET', key)")])
        let script = library.script(library.scriptNames[0])
        let keys = (0..<30).map { uniqueKey("function-\($0)") }
        let replies = try connection.runPipelined(script, calls: keys.map { (keys: [$0], arguments: [RedisArgument($0)]) })
        #expect(replies.map(\.string) == keys)
        for node in cluster.nodes {
            let listed = try cluster.command(["FUNCTION", "LIST", "LIBRARYNAME", RedisArgument(library.name)], on: node)
            #expect(listed.array?.count == 1, "library missing on \(node.port)")
        }
        // A node that loses its functions gets them again.
        try cluster.command(["FUNCTION", "FLUSH"], on: cluster.nodes[1])
        #expect(try connection.runPipelined(script, calls: keys.map { (keys: [$0], arguments: ["again"]) }).allSatisfy { $0.string == "again" })
    }

    @Test func evalShaScriptsAreLoadedOnEachMasterThatLacksThem() throws {
        let cluster = try Self.shared.get()
        let connection = try RedisConnection(configuration: RedisConfiguration(url: cluster.url))
        let script = RedisScript(name: "cluster-eval-\(UUID().uuidString)", source: "return redis.call('INCR', KEYS[1]) -- \(UUID().uuidString)")
        let keys = (0..<20).map { uniqueKey("eval-\($0)") }
        #expect(try connection.runPipelined(script, calls: keys.map { (keys: [$0], arguments: []) }).allSatisfy { $0.integer == 1 })
        try cluster.command(["SCRIPT", "FLUSH"], on: cluster.nodes[2])
        #expect(try connection.runPipelined(script, calls: keys.map { (keys: [$0], arguments: []) }).allSatisfy { $0.integer == 2 })
    }

    @Test func commandsSentAlongWithScriptCallsGoToTheirOwnNodesInTheSameBatch() throws {
        let cluster = try Self.shared.get()
        let connection = try RedisConnection(configuration: RedisConfiguration(url: cluster.url))
        let script = RedisScript(name: "cluster-along-\(UUID().uuidString)", source: "return redis.call('INCR', KEYS[1])")
        let keys = (0..<9).map { uniqueKey("along-\($0)") }
        let set = uniqueKey("along-set")
        let result = try connection.runPipelined(
            script, calls: keys.map { (keys: [$0], arguments: []) }, alongside: [["SADD", RedisArgument(set), "member"], ["PING"]])
        #expect(result.calls.allSatisfy { $0.integer == 1 })
        #expect(result.commands == [.integer(1), .status("PONG")])
        #expect(try connection.command(["SISMEMBER", RedisArgument(set), "member"]).integer == 1)
    }

    @Test func eachPrimaryCanBeAskedDirectly() throws {
        let cluster = try Self.shared.get()
        let connection = try RedisConnection(configuration: RedisConfiguration(url: cluster.url))
        var ids = Set<String>()
        for primary in try connection.primaries() {
            ids.insert(try #require(try connection.command(["CLUSTER", "MYID"], on: primary).string))
        }
        #expect(ids == Set(try cluster.nodes.map { try cluster.nodeID($0) }))
        #expect(throws: RedisError.self) { try connection.command(["PING"], on: .tcp(host: "127.0.0.1", port: 1)) }
    }

    @Test func aStandaloneServerIsNotACluster() throws {
        let connection = try TestRedis.connection()
        #expect(try connection.isCluster == false)
        #expect(try connection.primaries() == [connection.configuration.endpoint])
    }

    @Test func aDatabaseOtherThanZeroIsRefusedOnACluster() throws {
        let cluster = try Self.shared.get()
        let error = try #require(throws: RedisError.self) {
            try RedisConnection(configuration: RedisConfiguration(url: "redis://127.0.0.1:\(cluster.nodes[1].port)/2"))
        }
        #expect(error.code == .invalidConfiguration)
        #expect(error.message.contains("database 0"))
    }

    @Test func movedIsFollowedAndTheNewOwnerUsedFromThenOn() throws {
        let cluster = try RedisCluster()
        let connection = try RedisConnection(configuration: RedisConfiguration(url: cluster.url))
        let key = uniqueKey("moved")
        try connection.command(["SET", RedisArgument(key), "before"])
        let slot = try cluster.slot(of: key)
        let source = try cluster.owner(ofSlot: slot)
        let target = try #require(cluster.nodes.first { $0 !== source })
        #expect(try cluster.migrate(slot: slot, to: target) == 1)
        #expect(try connection.command(["GET", RedisArgument(key)]).string == "before")
        let moved = try errorCounts("MOVED", cluster)
        #expect(moved == 1)
        for _ in 0..<5 { try connection.command(["SET", RedisArgument(key), "after"]) }
        #expect(try errorCounts("MOVED", cluster) == moved, "the slot map was not refreshed after MOVED")
        #expect(try cluster.command(["GET", RedisArgument(key)], on: target).string == "after")
    }

    @Test func askIsFollowedWhileASlotMigrates() throws {
        let cluster = try RedisCluster()
        let connection = try RedisConnection(configuration: RedisConfiguration(url: cluster.url))
        let tag = UUID().uuidString
        let (moved, stays, new) = ("{\(tag)}:moved", "{\(tag)}:stays", "{\(tag)}:new")
        try connection.command(["SET", RedisArgument(moved), "m"])
        try connection.command(["SET", RedisArgument(stays), "s"])
        let slot = try cluster.slot(of: moved)
        let source = try cluster.owner(ofSlot: slot)
        let target = try #require(cluster.nodes.first { $0 !== source })
        try cluster.beginMigration(slot: slot, from: source, to: target)
        try cluster.migrateKeys([moved], from: source, to: target)
        #expect(try connection.command(["GET", RedisArgument(moved)]).string == "m")
        #expect(try connection.command(["GET", RedisArgument(stays)]).string == "s")
        try connection.command(["SET", RedisArgument(new), "n"])
        // A new key belongs on the importing node.
        #expect(try cluster.command(["CLUSTER", "COUNTKEYSINSLOT", RedisArgument(slot)], on: source).integer == 1)
        #expect(try cluster.command(["CLUSTER", "COUNTKEYSINSLOT", RedisArgument(slot)], on: target).integer == 2)
        #expect(try errorCount("ASK", on: source, of: cluster) >= 2)
        // Two keys of the slot, one on each side: Redis says TRYAGAIN until the migration ends.
        let started = ContinuousClock.now
        let error = try #require(throws: RedisError.self) { try connection.command(["MGET", RedisArgument(moved), RedisArgument(stays)]) }
        #expect(error.code == .unavailable && error.serverErrorKind == "TRYAGAIN")
        #expect(ContinuousClock.now - started < .seconds(5))
        try cluster.migrateKeys([stays], from: source, to: target)
        try cluster.finishMigration(slot: slot, to: target)
        #expect(try connection.command(["MGET", RedisArgument(moved), RedisArgument(stays), RedisArgument(new)]).array?.map(\.string) == ["m", "s", "n"])
    }

    @Test func aClusterWithAMasterDownFailsClearlyAndSoon() throws {
        let cluster = try RedisCluster()
        let connection = try RedisConnection(configuration: RedisConfiguration(url: cluster.url))
        let down = cluster.nodes[2]
        var keyOnDown = "", keyOnUp = ""
        while keyOnDown.isEmpty || keyOnUp.isEmpty {
            let key = uniqueKey("down")
            if try cluster.owner(ofSlot: cluster.slot(of: key)) === down { keyOnDown = key } else { keyOnUp = key }
        }
        try connection.command(["SET", RedisArgument(keyOnDown), "x"])
        down.stop()
        let started = ContinuousClock.now
        let lost = try #require(throws: RedisError.self) { try connection.command(["GET", RedisArgument(keyOnDown)]) }
        #expect(lost.isRetryable)
        #expect(lost.message.contains(String(down.port)) || lost.code != .connectionFailed, "\(lost.message)")
        #expect(ContinuousClock.now - started < .seconds(3))
        // Once the others notice (cluster-node-timeout), every command fails: CLUSTERDOWN.
        let clusterDown = eventually(timeout: .seconds(15)) {
            (try? connection.command(["GET", RedisArgument(keyOnUp)])) == nil
        }
        #expect(clusterDown)
        let error = try #require(throws: RedisError.self) { try connection.command(["GET", RedisArgument(keyOnUp)]) }
        #expect(error.code == .unavailable && error.serverErrorKind == "CLUSTERDOWN", "\(error)")
        #expect(error.isRetryable)
    }
}
