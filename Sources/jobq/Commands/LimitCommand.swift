import ArgumentParser
import Foundation
import HumanUnits
import JobQueue

struct LimitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "limit",
        abstract: "Show or set a queue's rate limit and concurrency limit (stored in Redis; no restart needed).",
        discussion: """
        jobq limit QUEUE --rate 10/m --burst 5     at most 10 job starts a minute, 5 at once after a quiet spell
        jobq limit QUEUE --concurrency 1           one job of the queue at a time, on all hosts
        jobq limit QUEUE --key github --rate 5/s   a limiter jobs opt into with "limiter": "github"
        jobq limit QUEUE --off                     remove the rate limit (of --key, if given) and the concurrency limit
        jobq limit QUEUE                           show the settings and the bucket's level
        """
    )

    @OptionGroup var redis: RedisOptions
    @OptionGroup var eviction: EvictionOptions
    @Argument(help: "The queue's name.") var queue: String
    @Option(help: "Token rate: N/s, N/m, N/h or N/<duration> (e.g. 20/s, 10/m, 5/30s).") var rate: String?
    @Option(help: "Most tokens the bucket holds (default 1).") var burst: Int?
    @Option(help: "Most jobs of the queue running at once, on all hosts.") var concurrency: Int?
    @Option(help: "A named limiter that jobs opt into, instead of the queue's own bucket.") var key: String?
    @Flag(help: "Remove the limits.") var off = false
    @Flag(help: "Print the settings as JSON.") var json = false

    func validate() throws {
        if off && (rate != nil || burst != nil || concurrency != nil) { throw ValidationError("--off cannot be combined with --rate, --burst or --concurrency") }
        if burst != nil && rate == nil { throw ValidationError("--burst goes with --rate") }
        if let burst, burst < 1 { throw ValidationError("--burst must be at least 1") }
        if let concurrency, concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if key != nil && concurrency != nil { throw ValidationError("--concurrency applies to the queue, not to a --key limiter") }
        if let rate { _ = try RateLimit.parse(rate, burst: burst ?? 1) }
    }

    func run() throws {
        try reportingErrors {
            let queue = try redis.queue(self.queue, .writing(eviction))
            if off {
                try queue.setRateLimit(nil, limiter: key)
                if key == nil { try queue.setConcurrency(nil) }
            }
            if let rate { try queue.setRateLimit(try RateLimit.parse(rate, burst: burst ?? 1), limiter: key) }
            if let concurrency { try queue.setConcurrency(concurrency) }
            let status = try queue.limitStatus(limiter: key)
            if json {
                print(try JSONText.encode(status))
                return
            }
            let bucket = key.map { "limiter \($0)" } ?? "rate"
            if let limit = status.rate {
                print("\(bucket): \(limit.count) per \(DurationText.format(.milliseconds(limit.periodMilliseconds))), burst \(limit.burst); tokens now \(String(format: "%.2f", status.level ?? 0))")
            } else {
                print("\(bucket): unlimited")
            }
            if key == nil {
                print("concurrency: \(status.concurrency.map(String.init) ?? "unlimited") (running now: \(status.running))")
            }
        }
    }
}

struct LocksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "locks",
        abstract: "List a queue's held locks: concurrency slots, concurrency keys, the supervisor's lock."
    )

    @OptionGroup var redis: RedisOptions
    @Argument(help: "The queue's name.") var queue: String
    @Flag(help: "Print a JSON array.") var json = false

    func run() throws {
        try reportingErrors {
            let locks = try redis.queue(queue, .reading).locks()
            if json {
                print(try Self.json(locks))
            } else if locks.isEmpty {
                print("no locks held in \(queue)")
            } else {
                print("lock                 holder                          age      ttl left  fencing  job")
                for lock in locks {
                    let row = [
                        lock.name.padding(toLength: 20, withPad: " ", startingAt: 0),
                        lock.holder.padding(toLength: 30, withPad: " ", startingAt: 0),
                        DurationText.format(.milliseconds(lock.ageMilliseconds)).padding(toLength: 8, withPad: " ", startingAt: 0),
                        (lock.ttlMilliseconds < 0 ? "none" : DurationText.format(.milliseconds(lock.ttlMilliseconds))).padding(toLength: 9, withPad: " ", startingAt: 0),
                        String(lock.fencingToken).padding(toLength: 7, withPad: " ", startingAt: 0),
                        lock.job ?? "-",
                    ]
                    print(row.joined(separator: " "))
                }
            }
        }
    }

    /// The locks as `jobq locks --json` has always printed them: sorted snake-case keys, with
    /// `age_milliseconds` and `ttl_milliseconds` where `jobq stats --json` says `age_ms` and `ttl_ms`.
    private static func json(_ locks: [HeldLock]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .custom { path in
            let key = path[path.count - 1].stringValue
            return RenamedKey(stringValue: ["age_ms": "age_milliseconds", "ttl_ms": "ttl_milliseconds"][key] ?? key)
        }
        return String(decoding: try encoder.encode(locks), as: UTF8.self)
    }

    private struct RenamedKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
