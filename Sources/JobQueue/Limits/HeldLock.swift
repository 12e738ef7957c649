/// A lock held now, with its holder, as `jobq locks` and `jobq stats` show it.
public struct HeldLock: Sendable, Codable, Equatable {
    /// The lock's name: `slot:N`, `key:K`, `supervisor`, ...
    public var name: String
    /// Who holds it: a consumer id (`host-pid-random`) or `host/pid`.
    public var holder: String
    /// The job running under it, if any.
    public var job: String?
    /// How long it has been held, in ms (Redis clock).
    public var ageMilliseconds: Int64
    /// How long until it expires unless renewed, in ms; -1 when it has no TTL.
    public var ttlMilliseconds: Int64
    /// Its fencing token.
    public var fencingToken: Int64

    /// Creates a lock's figures.
    public init(name: String, holder: String, job: String?, ageMilliseconds: Int64, ttlMilliseconds: Int64, fencingToken: Int64) {
        self.name = name
        self.holder = holder
        self.job = job
        self.ageMilliseconds = ageMilliseconds
        self.ttlMilliseconds = ttlMilliseconds
        self.fencingToken = fencingToken
    }

    /// Reads a lock's hash (`holder`, `job`, `acquired_at`, `fencing`) and its TTL as Redis gave them.
    /// - Parameters:
    ///   - name: the lock's name.
    ///   - fields: the lock's hash.
    ///   - ttlMilliseconds: its `PTTL`.
    ///   - now: the Redis clock, ms since the epoch.
    init(name: String, fields: [String: String], ttlMilliseconds: Int64, now: Int64) {
        self.init(
            name: name,
            holder: fields["holder"] ?? "?",
            job: fields["job"].flatMap { $0.isEmpty ? nil : $0 },
            ageMilliseconds: max(0, now - (fields["acquired_at"].flatMap { Int64($0) } ?? now)),
            ttlMilliseconds: ttlMilliseconds,
            fencingToken: fields["fencing"].flatMap { Int64($0) } ?? 0
        )
    }

    enum CodingKeys: String, CodingKey {
        case name, holder, job
        case ageMilliseconds = "age_ms"
        case ttlMilliseconds = "ttl_ms"
        case fencingToken = "fencing_token"
    }
}
