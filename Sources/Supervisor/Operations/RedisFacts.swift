import JobQueue
import RedisClient

/// What a diagnosis needs to know about the Redis server: version, eviction policy, memory,
/// persistence and data directory. The eviction policy and memory are read as `jobq stats` reads
/// them (``JobQueue/RedisMemory``: on a Redis Cluster, every primary, the worst of them); the rest
/// in one round trip to the node the connection names.
public struct RedisFacts: Sendable, Equatable {
    /// The server's address, without credentials.
    public var endpoint: String
    /// Whether the server runs on this host (loopback address or Unix socket), so that its data
    /// directory can be checked here.
    public var isLocal: Bool
    /// `redis_version`.
    public var version: String?
    /// `maxmemory_policy` (an evicting one if any cluster primary has one).
    public var maxmemoryPolicy: String?
    /// `used_memory`, in bytes (of the cluster primary nearest its `maxmemory`).
    public var usedMemory: UInt64?
    /// `maxmemory`, in bytes, of the same server as ``usedMemory``; 0 means no limit.
    public var maxMemory: UInt64?
    /// Whether the append-only file is on (`aof_enabled`).
    public var appendOnly: Bool?
    /// The RDB snapshot schedule (`CONFIG GET save`); empty when snapshots are off.
    public var snapshotSchedule: String?
    /// The data directory (`CONFIG GET dir`).
    public var dataDirectory: String?
    /// The questions Redis refused to answer, at most one per command; what they would have told is
    /// `nil` above. Any refused `INFO`; `CONFIG GET` only when the ACL denies it (a renamed `CONFIG`
    /// is deliberate hardening, left as a note).
    public var refusals: [Refusal]
    /// The ACL user the diagnosis ran as (`default` when the URL names none), for the fix.
    public var user: String
    /// `redis-cli` pointed at this server, database and user: what every fix starts with.
    public var redisCLI: RedisCLICommand
    /// `redis-cli` pointed at this server and database, for fixes an admin user runs.
    public var adminRedisCLI: RedisCLICommand
    /// What could not be read, and why.
    public var notes: [String]

    /// A question the server answered with an error reply instead of the facts.
    public struct Refusal: Sendable, Equatable {
        /// The command refused: `INFO` or `CONFIG GET`.
        public var command: String
        /// The server's error reply.
        public var reply: String
        /// Whether the user's ACL denied the command (`NOPERM`), so that granting it fixes this.
        public var isDeniedByACL: Bool
    }

    /// Reads the facts. A refused `INFO` or `CONFIG GET` is not an error: it is recorded in
    /// ``refusals`` and the facts it would have given stay unknown.
    /// - Throws: ``JobQueue/RedisError`` when the server cannot be reached or refuses the credentials.
    public static func read(_ connection: RedisConnection) throws -> RedisFacts {
        let replies = try connection.pipeline([
            ["INFO", "server"], ["INFO", "persistence"], ["CONFIG", "GET", "save"], ["CONFIG", "GET", "dir"],
        ])
        let memory: RedisMemory
        do {
            memory = try RedisMemory.read(on: connection)
        } catch let error as JobQueueError {
            throw error.redisError ?? error
        }
        var refusals: [Refusal] = []
        func refusal(_ command: String, _ reply: RedisReply) throws -> Refusal? {
            guard case .error(let text) = reply else { return nil }
            let error = RedisError.server(text)
            if error.code == .authenticationFailed {
                throw RedisError(code: .authenticationFailed, message: "Redis at \(connection.configuration) refused \(command): \(text)")
            }
            return Refusal(command: command, reply: text, isDeniedByACL: error.serverErrorKind == "NOPERM")
        }
        var info: [String: String] = [:]
        for reply in replies.prefix(2) {
            if let refused = try refusal("INFO", reply) {
                if !refusals.contains(where: { $0.command == refused.command }) { refusals.append(refused) }
                continue
            }
            info.merge(RedisInfo.fields(reply.string ?? "")) { first, _ in first }
        }
        var facts = RedisFacts(
            endpoint: connection.configuration.description, isLocal: isLocal(connection.configuration.endpoint),
            version: info["redis_version"], maxmemoryPolicy: memory.policy, usedMemory: memory.usedBytes, maxMemory: memory.maxBytes,
            appendOnly: info["aof_enabled"].map { $0 == "1" }, snapshotSchedule: nil, dataDirectory: nil,
            refusals: refusals, user: connection.configuration.username ?? "default",
            redisCLI: RedisCLICommand(connection.configuration),
            adminRedisCLI: RedisCLICommand(connection.configuration, as: .administrator), notes: []
        )
        let settings = replies.suffix(2).map { reply -> String? in
            guard let pair = reply.array, pair.count == 2 else { return nil }
            return pair[1].string
        }
        facts.snapshotSchedule = settings[0]
        facts.dataDirectory = settings[1]
        if let refused = try replies.suffix(2).compactMap({ try refusal("CONFIG GET", $0) }).first, refused.isDeniedByACL {
            facts.refusals.append(refused)
        } else if settings.contains(where: { $0 == nil }) {
            facts.notes.append("Redis did not answer CONFIG GET (a renamed or disabled command): RDB snapshots and the data directory's disk were not checked")
        }
        return facts
    }

    private static func isLocal(_ endpoint: RedisConfiguration.Endpoint) -> Bool {
        switch endpoint {
        case .unix: return true
        case .tcp(let host, _): return ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host.lowercased()) || host.hasPrefix("127.")
        }
    }
}
