/// Every Redis key of one queue, derived in this one place.
///
/// All keys start with `jobq:{QUEUE}:`; the braces make `QUEUE` the Redis Cluster hash tag, so a
/// queue's keys live in one slot and a script may touch all of them. `docs/keys.md` documents each
/// key. The Lua scripts get the same names from ``luaSuffixTable``, written from ``Suffix``.
public struct QueueKeys: Sendable, Hashable {
    /// The prefix shared by every key jobq writes.
    public static let namespace = "jobq"
    /// The set of queue names jobq has written to (one global key, outside any queue's slot: in a
    /// cluster it lives on one node). `jobq stats` adds the queues it finds by their waiting list.
    public static let registry = "\(namespace):queues"

    /// The `SCAN MATCH` pattern of every queue's waiting list, `jobq:{*}:wait`. It can match keys
    /// that are not waiting lists (a job id containing `}:wait`): check with ``queue(ofWaitKey:)``.
    public static let waitKeyPattern = "\(namespace):{*}:\(Suffix.wait.rawValue)"

    /// The queue whose waiting list `key` is, or `nil` when it is not one.
    public static func queue(ofWaitKey key: String) -> QueueName? {
        let prefix = "\(namespace):{"
        guard key.hasPrefix(prefix), let close = key.firstIndex(of: "}"),
              let name = try? QueueName(String(key[key.index(key.startIndex, offsetBy: prefix.count)..<close])),
              QueueKeys(queue: name).wait == key
        else { return nil }
        return name
    }

    /// The fixed part after `jobq:{QUEUE}:` for each key, and for each family of keys the part
    /// before the variable name (job id, consumer id, minute, unique key, lock name).
    public enum Suffix: String, CaseIterable, Sendable {
        /// List of waiting jobs of normal priority: new jobs LPUSHed on the left, taken from the
        /// right. What producers push to.
        case wait = "wait"
        /// List of waiting jobs of high priority, taken before normal ones.
        case waitHigh = "wait:high"
        /// List of waiting jobs of low priority, taken after normal ones.
        case waitLow = "wait:low"
        /// Hash of the anti-starvation counts: jobs taken above a level while it had jobs waiting
        /// (fields `normal`, `low`).
        case priority = "priority"
        /// Sorted set of delayed and retrying job ids, scored by due time (ms).
        case delayed = "delayed"
        /// Sorted set of running job ids, scored by lease deadline (ms).
        case active = "active"
        /// Sorted set of dead-lettered job ids, scored by time of death (ms).
        case dead = "dead"
        /// Sorted set of completed job ids kept as the queue's history, scored by finish time (ms).
        case completed = "completed"
        /// Hash of per-queue settings stored in Redis: paused, concurrency, dead-letter and history
        /// retention, and the queue's own token bucket (rate, per_ms, burst, tokens, at).
        case config = "config"
        /// Hash of all-time counters.
        case stats = "stats"
        /// Counter used for ids of jobs that arrive without one.
        case sequence = "seq"
        /// Sorted set of consumer ids, scored by their last heartbeat (ms).
        case consumers = "consumers"
        /// The reaper election lock (SET NX PX).
        case reaper = "reaper"
        /// Hash per job: `job:<id>`.
        case job = "job:"
        /// Hash per 100 consecutive generated ids, holding the records of those jobs that wait in
        /// compact form: `jobs:<n / 100>`, field `<n % 100>` for id `_<n>` (see ``compactRecord(of:)``).
        case jobBucket = "jobs:"
        /// List per consumer of the job it fetched with BLMOVE and has not leased yet: `claim:<consumer>`.
        case claim = "claim:"
        /// Hash per live worker, with a TTL: `worker:<consumer>`.
        case worker = "worker:"
        /// String per unique key, holding the job id that owns it: `unique:<key>`.
        case unique = "unique:"
        /// Hash of counters per minute, expiring after two hours: `stats:<epoch minute>`.
        case minuteStats = "stats:"
        /// Hash of a named token bucket jobs may share: `limit:<limiter key>`.
        case keyLimit = "limit:"
        /// Hash of a held lock with a TTL: `lock:<name>`.
        case lock = "lock:"
        /// Counter of a lock's fencing tokens: `fence:<name>`.
        case fence = "fence:"
        /// Set of lock names that may be held, for listing.
        case locks = "locks"
        /// List of jobs waiting for a concurrency key's lock: `parked:<lock name>`.
        case parked = "parked:"
        /// Set of lock names with parked jobs.
        case parkedNames = "parked"
        /// Hash of the queue's supervisor state (state, detail, host, pid, since, breaker ...).
        case supervisor = "supervisor"
        /// List of the last worker exits, newest first, as JSON objects.
        case exits = "exits"
        /// Hash of the last job lost because its hash vanished (evicted): `last_at`, `last_id`,
        /// `last_state`. The count of lost jobs is the `lost` counter of ``stats``.
        case lost = "lost"
        /// List of the last operator actions (emergency stop, resume), newest first, as JSON objects.
        case events = "events"
        /// Set of the names of the queue's recurring schedules.
        case schedules = "schedules"
        /// Hash per schedule: its rule, job, policy, next fire time and last results: `schedule:<name>`.
        case schedule = "schedule:"
        /// Sorted set of the names of unpaused schedules, scored by next fire time (ms).
        case scheduleNext = "schedule-next"
        /// The scheduler lease (the holder's name, with a TTL): only its holder fires schedules.
        case scheduler = "scheduler"
        /// Hash of alert de-duplication per event kind: `<kind>:sent_at` (ms, Redis clock, when the
        /// last alert of that kind was delivered) and `<kind>:suppressed` (alerts since, not delivered).
        case alerts = "alerts"
        /// Never written: declared to every script as `KEYS[2]` beside the prefix (`KEYS[1]`, which
        /// is not a key either). Two declared keys that do not exist make Redis Cluster refuse a
        /// script with `TRYAGAIN` while the queue's slot migrates, before it runs, instead of
        /// running it on a node that holds only part of the queue. See `docs/keys.md`.
        case slotGuard = "slot-guard"
    }

    /// The queue these keys belong to.
    public let queue: QueueName
    /// `jobq:{QUEUE}:`, the prefix of every key of the queue. Scripts receive it as `KEYS[1]`.
    public let base: String

    /// The keys every queue script is called with: ``base`` (from which the Lua derives every
    /// key it touches) and the never-written `jobq:{QUEUE}:slot-guard`, so that a script never runs
    /// while the queue's slot is split between two cluster nodes. Built once, not on every call.
    public let scriptKeys: [String]

    /// Derives the keys of a queue.
    public init(queue: QueueName) {
        self.queue = queue
        let base = "\(Self.namespace):{\(queue.rawValue)}:"
        self.base = base
        scriptKeys = [base, base + Suffix.slotGuard.rawValue]
    }

    /// The key for a suffix (for families, the key prefix).
    public func key(_ suffix: Suffix) -> String { base + suffix.rawValue }

    /// `jobq:{QUEUE}:wait`.
    public var wait: String { key(.wait) }
    /// The waiting list of a priority level: `jobq:{QUEUE}:wait` (normal), `wait:high`, `wait:low`.
    public func wait(_ priority: JobPriority) -> String {
        switch priority {
        case .high: return key(.waitHigh)
        case .normal: return wait
        case .low: return key(.waitLow)
        }
    }
    /// `jobq:{QUEUE}:delayed`.
    public var delayed: String { key(.delayed) }
    /// `jobq:{QUEUE}:active`.
    public var active: String { key(.active) }
    /// `jobq:{QUEUE}:dead`.
    public var dead: String { key(.dead) }
    /// `jobq:{QUEUE}:completed`.
    public var completed: String { key(.completed) }
    /// `jobq:{QUEUE}:config`.
    public var config: String { key(.config) }
    /// `jobq:{QUEUE}:stats`.
    public var stats: String { key(.stats) }
    /// `jobq:{QUEUE}:consumers`.
    public var consumers: String { key(.consumers) }
    /// `jobq:{QUEUE}:job:<id>`.
    public func job(_ id: String) -> String { key(.job) + id }
    /// Where the job with generated id `_<n>` keeps its record while it waits in compact form: hash
    /// `jobq:{QUEUE}:jobs:<n / 100>`, field `<n % 100>` (`Lua/library.lua`, `compact_slot`, splits
    /// the same way). `nil` for an id of any other form. Once the job is taken it has a hash,
    /// ``job(_:)``, like any other.
    public func compactRecord(of id: String) -> (bucket: String, field: String)? {
        guard let digits = Self.generatedIDDigits(id) else { return nil }
        let bucket = digits.count > 2 ? String(digits.dropLast(2)) : "0"
        return (key(.jobBucket) + bucket, String(Int(digits.suffix(2)) ?? 0))
    }

    /// The digits of a generated job id, `_<n>` (a form explicit ids may not take), or `nil`.
    static func generatedIDDigits(_ id: String) -> Substring? {
        let digits = id.utf8.dropFirst()
        guard id.utf8.first == UInt8(ascii: "_"), !digits.isEmpty, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        return Substring(digits)
    }

    /// `jobq:{QUEUE}:claim:<consumer>`.
    public func claim(_ consumer: String) -> String { key(.claim) + consumer }
    /// `jobq:{QUEUE}:worker:<consumer>`.
    public func worker(_ consumer: String) -> String { key(.worker) + consumer }
    /// `jobq:{QUEUE}:limit:<key>`, a named token bucket.
    public func limit(_ limiter: String) -> String { key(.keyLimit) + limiter }
    /// `jobq:{QUEUE}:lock:<name>`.
    public func lock(_ name: String) -> String { key(.lock) + name }
    /// `jobq:{QUEUE}:supervisor`.
    public var supervisor: String { key(.supervisor) }
    /// `jobq:{QUEUE}:exits`.
    public var exits: String { key(.exits) }
    /// `jobq:{QUEUE}:events`.
    public var events: String { key(.events) }
    /// `jobq:{QUEUE}:alerts`.
    public var alerts: String { key(.alerts) }
    /// `jobq:{QUEUE}:lost`.
    public var lost: String { key(.lost) }
    /// `jobq:{QUEUE}:schedules`.
    public var schedules: String { key(.schedules) }
    /// `jobq:{QUEUE}:schedule:<name>`.
    public func schedule(_ name: String) -> String { key(.schedule) + name }
    /// `jobq:{QUEUE}:schedule-next`.
    public var scheduleNext: String { key(.scheduleNext) }
    /// `jobq:{QUEUE}:scheduler`.
    public var scheduler: String { key(.scheduler) }
    /// `jobq:{QUEUE}:stats:<minute>` for a minute since the epoch.
    public func minuteStats(_ minute: Int64) -> String { key(.minuteStats) + String(minute) }

    /// Lua that defines `KEY_SUFFIXES`, the table from each ``Suffix``'s Lua name (`wait`, `job`,
    /// `minute_stats` ...) to its text. `Lua/library.lua` builds the key names `K.<name>` of a
    /// queue from it and `KEYS[1]`, so the scripts use exactly the keys this type derives.
    static let luaSuffixTable: String = {
        let fields = Suffix.allCases.map { "  \($0.luaName) = '\($0.rawValue)'," }
        return "local KEY_SUFFIXES = {\n" + fields.joined(separator: "\n") + "\n}\n"
    }()
}

extension QueueKeys.Suffix {
    /// The field name in the Lua `K` table.
    var luaName: String {
        switch self {
        case .sequence: return "seq"
        case .minuteStats: return "minute_stats"
        case .keyLimit: return "key_limit"
        case .parkedNames: return "parked_names"
        case .slotGuard: return "slot_guard"
        case .scheduleNext: return "schedule_next"
        case .waitHigh: return "wait_high"
        case .waitLow: return "wait_low"
        case .jobBucket: return "job_bucket"
        default: return String(describing: self)
        }
    }
}
