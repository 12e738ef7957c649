import JobQueue
import RedisClient

/// What a diagnosis needs to know about the Redis server: version, eviction policy, memory,
/// persistence and data directory, read in one round trip.
public struct RedisFacts: Sendable, Equatable {
    /// The server's address, without credentials.
    public var endpoint: String
    /// Whether the server runs on this host (loopback address or Unix socket), so that its data
    /// directory can be checked here.
    public var isLocal: Bool
    /// `redis_version`.
    public var version: String?
    /// `maxmemory_policy`.
    public var maxmemoryPolicy: String?
    /// `used_memory`, in bytes.
    public var usedMemory: UInt64?
    /// `maxmemory`, in bytes; 0 means no limit.
    public var maxMemory: UInt64?
    /// Whether the append-only file is on (`aof_enabled`).
    public var appendOnly: Bool?
    /// The RDB snapshot schedule (`CONFIG GET save`); empty when snapshots are off.
    public var snapshotSchedule: String?
    /// The data directory (`CONFIG GET dir`).
    public var dataDirectory: String?
    /// What could not be read, and why.
    public var notes: [String]

    /// Reads the facts.
    /// - Throws: ``JobQueue/RedisError`` when the server cannot be reached or answers none of it.
    public static func read(_ connection: RedisConnection) throws -> RedisFacts {
        let replies = try connection.pipeline([
            ["INFO", "server"], ["INFO", "memory"], ["INFO", "persistence"],
            ["CONFIG", "GET", "save"], ["CONFIG", "GET", "dir"],
        ])
        var info: [String: String] = [:]
        for reply in replies.prefix(3) {
            if case .error(let text) = reply {
                let refused = text.hasPrefix("NOAUTH") || text.hasPrefix("WRONGPASS") || text.hasPrefix("NOPERM")
                throw RedisError(code: refused ? .authenticationFailed : .serverError, message: "Redis at \(connection.configuration) refused INFO: \(text)")
            }
            for line in (reply.string ?? "").split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2 { info[String(parts[0])] = String(parts[1]).trimmingWhitespace }
            }
        }
        var facts = RedisFacts(
            endpoint: connection.configuration.description, isLocal: isLocal(connection.configuration.endpoint),
            version: info["redis_version"], maxmemoryPolicy: info["maxmemory_policy"],
            usedMemory: info["used_memory"].flatMap { UInt64($0) }, maxMemory: info["maxmemory"].flatMap { UInt64($0) },
            appendOnly: info["aof_enabled"].map { $0 == "1" }, snapshotSchedule: nil, dataDirectory: nil, notes: []
        )
        let settings = replies.suffix(2).map { reply -> String? in
            guard let pair = reply.array, pair.count == 2 else { return nil }
            return pair[1].string
        }
        facts.snapshotSchedule = settings[0]
        facts.dataDirectory = settings[1]
        if settings.contains(where: { $0 == nil }) {
            facts.notes.append("Redis refused CONFIG GET (renamed or not allowed for this user): RDB snapshots and the data directory's disk were not checked")
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
