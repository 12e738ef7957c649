import RedisClient

/// Redis's own figures that decide whether jobs can vanish or be refused: its eviction policy,
/// memory in use against `maxmemory`, and the keys it has evicted since it started. Read once per
/// `jobq stats` call (not per queue) with `INFO memory`, `INFO stats` and
/// `CONFIG GET maxmemory-policy` in one round trip; an ACL that refuses them leaves the figures
/// unknown (`nil`) and says why in ``unreadable``.
public struct RedisMemory: Sendable, Codable, Equatable {
    /// `maxmemory_policy`: `noeviction`, `allkeys-lru` ...
    public var policy: String?
    /// `used_memory`, in bytes.
    public var usedBytes: UInt64?
    /// `maxmemory`, in bytes; 0 means no limit.
    public var maxBytes: UInt64?
    /// `evicted_keys`: keys Redis deleted to make room since it started.
    public var evictedKeys: Int?
    /// Why the figures are unknown (the server's refusal), when they are.
    public var unreadable: String?

    /// Creates the figures.
    public init(policy: String?, usedBytes: UInt64?, maxBytes: UInt64?, evictedKeys: Int?, unreadable: String?) {
        self.policy = policy
        self.usedBytes = usedBytes
        self.maxBytes = maxBytes
        self.evictedKeys = evictedKeys
        self.unreadable = unreadable
    }

    /// The share of `maxmemory` in use at which Redis counts as full: `jobq stats` says `FULL`, and
    /// `jobq diagnose` reports it as critical (a full `noeviction` Redis refuses enqueues).
    public static let fullFraction = 0.9

    /// Whether the policy lets Redis delete keys when it is full (anything but `noeviction`).
    public var evicts: Bool { policy.map { $0 != "noeviction" } ?? false }

    /// Used memory as a fraction of `maxmemory`; `nil` without a limit or when unknown.
    public var usedFraction: Double? {
        guard let used = usedBytes, let limit = maxBytes, limit > 0 else { return nil }
        return Double(used) / Double(limit)
    }

    /// Reads the figures: one round trip on one server; on a Redis Cluster, one per primary, and
    /// the figures that matter most of all of them (see ``combining(_:)``). Refusals (`NOPERM`) are
    /// not errors.
    /// - Throws: ``JobQueueError`` `.redis` when Redis cannot be reached.
    public static func read(on connection: RedisConnection) throws -> RedisMemory {
        do {
            let nodes = try connection.primaries()
            return combining(try nodes.map { node in
                do {
                    return read(try connection.pipeline(commands, on: node))
                } catch let error as RedisError where error.isRetryable && nodes.count > 1 {
                    // A cluster master that is down: its figures are unknown, the others' are shown.
                    return RedisMemory(policy: nil, usedBytes: nil, maxBytes: nil, evictedKeys: nil, unreadable: error.message)
                }
            })
        } catch let error as RedisError {
            throw JobQueueError(code: .redis, message: error.message, redisError: error)
        }
    }

    /// What is asked of each server.
    private static let commands: [[RedisArgument]] = [["INFO", "memory"], ["INFO", "stats"], ["CONFIG", "GET", "maxmemory-policy"]]

    private static func read(_ replies: [RedisReply]) -> RedisMemory {
        var info: [String: String] = [:]
        for reply in replies.prefix(2) { info.merge(RedisInfo.fields(reply.string ?? "")) { first, _ in first } }
        var policy = info["maxmemory_policy"]
        if policy == nil, let pair = replies[2].array, pair.count == 2 { policy = pair[1].string }
        let refusals = replies.compactMap { reply -> String? in
            if case .error(let text) = reply { return text }
            return nil
        }
        return RedisMemory(
            policy: policy, usedBytes: info["used_memory"].flatMap { UInt64($0) }, maxBytes: info["maxmemory"].flatMap { UInt64($0) },
            evictedKeys: info["evicted_keys"].flatMap { Int($0) },
            unreadable: info.isEmpty ? (refusals.first ?? "INFO answered nothing") : nil)
    }

    /// The figures of several servers (a cluster's primaries) as one: an evicting policy if any
    /// server has one, the memory of the server nearest its `maxmemory` (else of the one using
    /// most), the evicted keys of all, and a refusal if any server refused.
    static func combining(_ servers: [RedisMemory]) -> RedisMemory {
        guard servers.count > 1 else { return servers.first ?? RedisMemory(policy: nil, usedBytes: nil, maxBytes: nil, evictedKeys: nil, unreadable: nil) }
        let fullest = servers.max { ($0.usedFraction ?? -1, $0.usedBytes ?? 0) < ($1.usedFraction ?? -1, $1.usedBytes ?? 0) }
        let evicted = servers.compactMap(\.evictedKeys)
        return RedisMemory(
            policy: servers.first { $0.evicts }?.policy ?? servers.first { $0.policy != nil }?.policy,
            usedBytes: fullest?.usedBytes, maxBytes: fullest?.maxBytes,
            evictedKeys: evicted.isEmpty ? nil : evicted.reduce(0, +),
            unreadable: servers.compactMap(\.unreadable).first)
    }

    enum CodingKeys: String, CodingKey {
        case policy = "maxmemory_policy"
        case usedBytes = "used_memory_bytes"
        case maxBytes = "maxmemory_bytes"
        case evictedKeys = "evicted_keys"
        case unreadable
    }
}
