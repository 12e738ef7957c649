import Foundation
import Processes
import RedisClient

/// A master, a replica and three sentinels, each a private process on a free loopback port with
/// its own temporary directory, for failover tests. The sentinels declare a master down after 1 s
/// without an answer, so a failover takes a few seconds. Everything is stopped by ``stop()`` or
/// when the test process exits.
public final class RedisSentinelGroup: @unchecked Sendable {
    // Mutable state is touched only by the test that owns the group, from one task at a time.
    /// The name the sentinels monitor the master under.
    public let masterName: String
    /// The two data nodes: the first starts as the master, the second as its replica.
    public let nodes: [RedisServer]
    /// The sentinels.
    public let sentinels: [RedisSentinelProcess]

    /// `redis+sentinel://` with every sentinel, the master name and database 0.
    public var url: String {
        "redis+sentinel://" + sentinels.map { "127.0.0.1:\($0.port)" }.joined(separator: ",") + "/\(masterName)/0"
    }

    /// Starts the nodes and the sentinels and waits until every sentinel knows the master, the
    /// replica (in sync) and the other two sentinels.
    /// - Parameters:
    ///   - nodeArguments: extra `redis-server` options for both data nodes.
    ///   - masterArguments: extra options for the node that starts as the master only.
    public init(nodeArguments: [String] = [], masterArguments: [String] = [], label: String = #function) throws {
        let name = "m-" + String(label.filter { $0.isLetter || $0.isNumber }.prefix(20)) + "-" + UUID().uuidString.prefix(6).lowercased()
        masterName = name
        // Diskless sync without delay, so that a replica catches up at once, before and after a failover.
        let common = ["--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0", "--replica-read-only", "yes"] + nodeArguments
        let master = try RedisServer(arguments: common + masterArguments)
        let replica = try RedisServer(arguments: common + ["--replicaof", "127.0.0.1", String(master.port)])
        nodes = [master, replica]
        let started = try (0..<3).map { _ in try RedisSentinelProcess(masterName: name, masterPort: master.port) }
        sentinels = started
        // Sentinels find replicas through INFO every 10 s and each other through hello messages
        // every 2 s; on a loaded machine that can take well over 20 s.
        let ready = eventually(timeout: .seconds(60)) {
            started.allSatisfy { sentinel in (try? sentinel.knowsReplicaAndPeers(name)) == true }
        }
        guard ready else {
            stop()
            throw TestFailure("the sentinels did not learn of the replica and of each other within 60 s")
        }
    }

    deinit { stop() }

    /// Stops every process.
    public func stop() {
        for sentinel in sentinels { sentinel.stop() }
        for node in nodes { node.stop() }
    }

    /// The master's port as the first sentinel that answers names it.
    public func masterPort() throws -> Int {
        for sentinel in sentinels {
            if let reply = try? sentinel.command(["SENTINEL", "get-master-addr-by-name", RedisArgument(masterName)]),
               let port = reply.array?.last?.integer {
                return Int(port)
            }
        }
        throw TestFailure("no sentinel names a master for \(masterName)")
    }

    /// The data node that is the master now, by the sentinels' word.
    public func master() throws -> RedisServer {
        let port = try masterPort()
        guard let node = nodes.first(where: { $0.port == port }) else { throw TestFailure("the sentinels name an unknown master on port \(port)") }
        return node
    }

    /// A direct connection to a data node.
    public func connection(to node: RedisServer) throws -> RedisConnection {
        try RedisConnection(configuration: RedisConfiguration(url: node.url))
    }

    /// Waits until the sentinels name a master on another port than `port` and that node says
    /// `ROLE` master; returns its port.
    @discardableResult
    public func waitForNewMaster(replacing port: Int, timeout: Duration = .seconds(30)) throws -> Int {
        var found: Int?
        let moved = eventually(timeout: timeout) {
            guard let now = try? masterPort(), now != port, let node = nodes.first(where: { $0.port == now }),
                  let role = try? connection(to: node).command(["ROLE"]).array?.first?.string, role == "master"
            else { return false }
            found = now
            return true
        }
        guard moved, let found else { throw TestFailure("no new master replaced port \(port) within \(timeout)") }
        return found
    }

    /// `SENTINEL FAILOVER`: promotes the replica without asking the others (the old master, if
    /// reachable, becomes a replica); waits until the new master is in place.
    /// - Returns: the new master's port.
    @discardableResult
    public func failover() throws -> Int {
        let old = try masterPort()
        _ = try sentinels[0].command(["SENTINEL", "FAILOVER", RedisArgument(masterName)])
        return try waitForNewMaster(replacing: old)
    }
}

/// One `redis-server --sentinel` process with a writable config file in a directory of its own.
public final class RedisSentinelProcess: @unchecked Sendable {
    // Mutable state is touched only by the test that owns the process, from one task at a time.
    public private(set) var port: Int = 0
    public let directory: URL
    private var process: ChildProcess?
    /// The password in `requirepass`, if one of the extra lines sets it.
    private var password: String?

    /// Starts a sentinel that monitors `masterName` at `127.0.0.1:masterPort` with quorum 2.
    /// - Parameter extraLines: more lines for its sentinel.conf (e.g. `requirepass SECRET`).
    public init(masterName: String, masterPort: Int, extraLines: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-sentinel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        password = extraLines.first { $0.hasPrefix("requirepass ") }.map { String($0.dropFirst("requirepass ".count)) }
        var lastError: (any Error)?
        for _ in 0..<20 {
            port = Int.random(in: 20000...60000)
            let config = """
                port \(port)
                bind 127.0.0.1
                dir \(directory.path)
                loglevel warning
                sentinel monitor \(masterName) 127.0.0.1 \(masterPort) 2
                sentinel down-after-milliseconds \(masterName) 1000
                sentinel failover-timeout \(masterName) 4000
                sentinel parallel-syncs \(masterName) 1

                """ + extraLines.map { $0 + "\n" }.joined()
            do {
                try config.write(to: directory.appendingPathComponent("sentinel.conf"), atomically: true, encoding: .utf8)
                try launch()
                return
            } catch {
                lastError = error
            }
        }
        throw lastError ?? TestFailure("could not start a sentinel")
    }

    deinit { stop() }

    /// The sentinel's process id, while running.
    public var pid: Int32? { process?.pid }

    /// Stops the sentinel and waits for it to exit.
    public func stop() {
        guard let process else { return }
        _ = process.terminate(grace: .seconds(5))
        self.process = nil
    }

    /// Sends one command to the sentinel on a new connection.
    public func command(_ arguments: [RedisArgument]) throws -> RedisReply {
        var configuration = try RedisConfiguration(url: "redis://127.0.0.1:\(port)/0")
        configuration.password = password
        return try RedisConnection(configuration: configuration).command(arguments)
    }

    /// Whether this sentinel knows an in-sync replica of `masterName` and two other sentinels.
    func knowsReplicaAndPeers(_ masterName: String) throws -> Bool {
        let name = RedisArgument(masterName)
        let replicas = try command(["SENTINEL", "REPLICAS", name]).array ?? []
        let goodReplica = replicas.contains { replica in
            let fields = Self.fields(replica)
            return fields["flags"] == "slave" && fields["master-link-status"] == "ok"
        }
        let peers = try command(["SENTINEL", "SENTINELS", name]).array ?? []
        return goodReplica && peers.count >= 2
    }

    private static func fields(_ reply: RedisReply) -> [String: String] {
        let flat = reply.array?.compactMap(\.string) ?? []
        return Dictionary(stride(from: 0, to: flat.count - 1, by: 2).map { (flat[$0], flat[$0 + 1]) }, uniquingKeysWith: { a, _ in a })
    }

    private func launch() throws {
        let process = try ChildProcess.launch(LaunchOptions(
            executable: try RedisServer.redisServerExecutable().path,
            arguments: [directory.appendingPathComponent("sentinel.conf").path, "--sentinel"],
            standardOutput: .discard, standardError: .discard))
        self.process = process
        RedisServerRegistry.add(process.pid)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if process.wait(timeout: .zero) != nil { break }
            if (try? command(["PING"])) != nil { return }
            usleep(20_000)
        }
        _ = process.terminate(grace: .zero)
        self.process = nil
        throw TestFailure("redis-sentinel did not start on port \(port)")
    }
}
