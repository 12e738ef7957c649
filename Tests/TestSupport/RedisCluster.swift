import Foundation
import JobQueue
import RedisClient

/// A private Redis Cluster of three masters (no replicas) started by a test on free loopback
/// ports, each node a ``RedisServer`` in a directory of its own; stopped on ``stop()`` or deinit.
///
/// Besides the servers it offers what cluster tests need: which node owns a key, queue names that
/// land on each node, and a slot migration that can be watched step by step.
public final class RedisCluster: @unchecked Sendable {
    // Touched only by the test that owns the cluster, from one task at a time.
    /// The masters, in the order they were started.
    public let nodes: [RedisServer]
    private var admins: [RedisConnection] = []
    /// Replicas added with ``addReplica(of:)``.
    public private(set) var replicas: [RedisServer] = []
    /// The options every node is started with.
    private let nodeArguments: [String]

    /// The URL of the first master: what a user of the cluster would give jobq.
    public var url: String { nodes[0].url }

    /// Starts the masters, joins them with `redis-cli --cluster create` (slots split evenly) and
    /// waits until every node reports `cluster_state:ok`.
    /// - Parameter nodeTimeout: `cluster-node-timeout`: how soon a stopped master makes the
    ///   cluster report itself down.
    public init(masters: Int = 3, nodeTimeout: Duration = .seconds(1)) throws {
        let arguments = [
            "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
            "--cluster-node-timeout", String(nodeTimeout.components.seconds * 1000 + nodeTimeout.components.attoseconds / 1_000_000_000_000_000),
        ]
        // The cluster bus listens on port + 10000.
        nodeArguments = arguments
        nodes = try (0..<masters).map { _ in try RedisServer(arguments: arguments, ports: 20000...50000) }
        do {
            try create()
            admins = try nodes.map { try RedisConnection(configuration: RedisConfiguration(url: $0.url)) }
            try waitUntilHealthy()
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    /// Stops every master.
    public func stop() {
        for node in nodes + replicas { node.stop() }
    }

    /// Starts a node, joins it to the cluster as a replica of `master` (`CLUSTER MEET`, then
    /// `CLUSTER REPLICATE`), and waits until the master reports it online.
    @discardableResult
    public func addReplica(of master: RedisServer) throws -> RedisServer {
        let replica = try RedisServer(arguments: nodeArguments, ports: 20000...50000)
        replicas.append(replica)
        let masterID = try nodeID(master)
        var direct = try RedisConfiguration(url: replica.url)
        direct.evictionCheck = .ignore
        let connection = try RedisConnection(configuration: direct)
        let own = RedisConfiguration.Endpoint.tcp(host: "127.0.0.1", port: replica.port)
        try connection.command(["CLUSTER", "MEET", "127.0.0.1", RedisArgument(master.port)], on: own)
        let known = eventually(timeout: .seconds(10)) {
            (try? connection.command(["CLUSTER", "NODES"], on: own).string)?.contains(masterID) == true
        }
        guard known else { throw TestFailure("the new node did not learn of master \(master.port)") }
        try connection.command(["CLUSTER", "REPLICATE", RedisArgument(masterID)], on: own)
        let online = eventually(timeout: .seconds(15)) {
            let info = (try? command(["INFO", "replication"], on: master).string) ?? ""
            return info.contains("port=\(replica.port),state=online")
        }
        guard online else { throw TestFailure("the replica on port \(replica.port) did not come online") }
        return replica
    }

    /// The endpoint of a master.
    public func endpoint(_ node: RedisServer) -> RedisConfiguration.Endpoint { .tcp(host: "127.0.0.1", port: node.port) }

    /// Sends a command to one master itself, without following redirections.
    @discardableResult
    public func command(_ arguments: [RedisArgument], on node: RedisServer) throws -> RedisReply {
        guard let index = nodes.firstIndex(where: { $0 === node }) else { throw TestFailure("not a node of this cluster") }
        return try admins[index].command(arguments, on: endpoint(node))
    }

    /// The hash slot of a key, as the server computes it (`CLUSTER KEYSLOT`).
    public func slot(of key: String) throws -> Int {
        Int(try command(["CLUSTER", "KEYSLOT", RedisArgument(key)], on: nodes[0]).integer ?? -1)
    }

    /// The master that owns a slot now, as the first master sees it.
    public func owner(ofSlot slot: Int) throws -> RedisServer {
        for range in try command(["CLUSTER", "SLOTS"], on: nodes[0]).array ?? [] {
            guard let fields = range.array, fields.count >= 3, let start = fields[0].integer, let end = fields[1].integer,
                  (start...end).contains(Int64(slot)), let port = fields[2].array?[1].integer
            else { continue }
            if let node = nodes.first(where: { $0.port == Int(port) }) { return node }
        }
        throw TestFailure("no master owns slot \(slot)")
    }

    /// One unique queue name per master, in the order of ``nodes``: the queue's keys live on that
    /// master.
    public func queueNamesOnEachNode(_ label: String = #function) throws -> [QueueName] {
        var found: [Int: QueueName] = [:]
        while found.count < nodes.count {
            let name = try uniqueQueueName(label)
            let owner = try owner(ofSlot: slot(of: QueueKeys(queue: name).base))
            if let index = nodes.firstIndex(where: { $0 === owner }), found[index] == nil { found[index] = name }
        }
        return (0..<nodes.count).map { found[$0]! }
    }

    /// Moves a slot from its owner to `target` the way `redis-cli --cluster reshard` does:
    /// IMPORTING on the target, MIGRATING on the source, `MIGRATE ... KEYS` in batches of
    /// `keysPerStep` (calling `afterStep` after each, while the slot is half moved), then
    /// `SETSLOT ... NODE` on every master.
    /// - Returns: the number of keys moved.
    @discardableResult
    public func migrate(slot: Int, to target: RedisServer, keysPerStep: Int = 10, afterStep: () throws -> Void = {}) throws -> Int {
        let source = try owner(ofSlot: slot)
        guard source !== target else { return 0 }
        try beginMigration(slot: slot, from: source, to: target)
        var moved = 0
        while true {
            let keys = try command(["CLUSTER", "GETKEYSINSLOT", RedisArgument(slot), RedisArgument(keysPerStep)], on: source).array ?? []
            if keys.isEmpty { break }
            var migrate: [RedisArgument] = ["MIGRATE", "127.0.0.1", RedisArgument(target.port), "", "0", "5000", "KEYS"]
            migrate += keys.compactMap { key in key.string.map { RedisArgument($0) } }
            try command(migrate, on: source)
            moved += keys.count
            try afterStep()
        }
        try finishMigration(slot: slot, to: target)
        return moved
    }

    /// Opens a slot's migration: IMPORTING on the target, then MIGRATING on the source.
    public func beginMigration(slot: Int, from source: RedisServer, to target: RedisServer) throws {
        try command(["CLUSTER", "SETSLOT", RedisArgument(slot), "IMPORTING", RedisArgument(nodeID(source))], on: target)
        try command(["CLUSTER", "SETSLOT", RedisArgument(slot), "MIGRATING", RedisArgument(nodeID(target))], on: source)
    }

    /// Moves the named keys of a migrating slot from `source` to `target`.
    public func migrateKeys(_ keys: [String], from source: RedisServer, to target: RedisServer) throws {
        let head: [RedisArgument] = ["MIGRATE", "127.0.0.1", RedisArgument(target.port), "", "0", "5000", "KEYS"]
        try command(head + keys.map { RedisArgument($0) }, on: source)
    }

    /// Gives a slot to `target` on every master, ending its migration.
    public func finishMigration(slot: Int, to target: RedisServer) throws {
        let id = try nodeID(target)
        for node in [target] + nodes.filter({ $0 !== target }) where node.pid != nil {
            try command(["CLUSTER", "SETSLOT", RedisArgument(slot), "NODE", RedisArgument(id)], on: node)
        }
    }

    /// A master's cluster node id.
    public func nodeID(_ node: RedisServer) throws -> String {
        guard let id = try command(["CLUSTER", "MYID"], on: node).string else { throw TestFailure("CLUSTER MYID gave no id") }
        return id
    }

    /// Waits until every running master reports `cluster_state:ok` and the same owner for every
    /// slot.
    public func waitUntilHealthy(timeout: Duration = .seconds(20)) throws {
        let healthy = eventually(timeout: timeout) {
            let running = nodes.filter { $0.pid != nil }
            let views = running.map { node -> String? in
                guard let info = try? command(["CLUSTER", "INFO"], on: node).string, info.contains("cluster_state:ok") else { return nil }
                return (try? command(["CLUSTER", "SLOTS"], on: node)).map { Self.ownership($0) }
            }
            return views.allSatisfy { $0 != nil } && Set(views.compactMap { $0 }).count == 1
        }
        if !healthy { throw TestFailure("the Redis Cluster on ports \(nodes.map(\.port)) did not become healthy") }
    }

    private static func ownership(_ slots: RedisReply) -> String {
        (slots.array ?? []).compactMap { range -> String? in
            guard let fields = range.array, fields.count >= 3 else { return nil }
            return "\(fields[0].integer ?? -1)-\(fields[1].integer ?? -1)@\(fields[2].array?[1].integer ?? -1)"
        }.sorted().joined(separator: ",")
    }

    private func create() throws {
        let process = Process()
        process.executableURL = try Self.redisCLIExecutable()
        process.arguments = ["--cluster", "create"] + nodes.map { "127.0.0.1:\($0.port)" } + ["--cluster-replicas", "0", "--cluster-yes"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("redis-cli --cluster create failed: \(String(decoding: text, as: UTF8.self).suffix(500))")
        }
    }

    static func redisCLIExecutable() throws -> URL {
        let server = try RedisServer.redisServerExecutable()
        let candidate = server.deletingLastPathComponent().appendingPathComponent("redis-cli")
        guard FileManager.default.isExecutableFile(atPath: candidate.path) else {
            throw TestFailure("redis-cli is not installed (apt-get install redis-tools)")
        }
        return candidate
    }
}
