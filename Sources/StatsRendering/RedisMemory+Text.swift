import HumanUnits
import JobQueue

extension RedisMemory {
    /// The Redis block of `jobq stats`: a headline (`redis: OK`, `EVICTS`, `FULL` or `UNKNOWN`),
    /// the eviction policy, memory in use against `maxmemory`, and the keys evicted so far.
    public func renderText(width: Int = 80) -> String {
        var lines = ["redis: \(headline)"]
        func row(_ label: String, _ text: String) {
            lines += TextLayout.wrap(text, width: width, indent: "  " + label.padding(toLength: 12, withPad: " ", startingAt: 0), continuation: String(repeating: " ", count: 16))
        }
        if let unreadable {
            row("unknown", "no figures from Redis (\(unreadable)): whether it evicts jobs is unknown; jobq diagnose says more")
        }
        if let policy {
            row("policy", evicts
                ? "maxmemory-policy \(policy): when full, Redis deletes keys and jobs are lost without a trace"
                : "maxmemory-policy \(policy): when full, Redis refuses writes (enqueues fail, workers wait)")
        }
        if let used = usedBytes {
            let limit = maxBytes.map { $0 == 0 ? "no maxmemory limit" : "of maxmemory \(ByteSizeText.readable($0))" } ?? "maxmemory unknown"
            let share = usedFraction.map { " (\(Int(($0 * 100).rounded())) %)" } ?? ""
            row("memory", "\(ByteSizeText.readable(used)) used \(limit)\(share)")
        }
        if let evictedKeys { row("evicted", "\(evictedKeys) key\(evictedKeys == 1 ? "" : "s") since Redis started") }
        if evicts { lines.append("    $ redis-cli CONFIG SET maxmemory-policy noeviction") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `EVICTS` for a policy that deletes keys, `FULL` at ``JobQueue/RedisMemory/fullFraction`` (90 %) of `maxmemory` or more, `UNKNOWN`
    /// when Redis would not say, else `OK`.
    public var headline: String {
        if evicts { return "EVICTS" }
        if unreadable != nil || policy == nil { return "UNKNOWN" }
        if let fraction = usedFraction, fraction >= Self.fullFraction { return "FULL" }
        return "OK"
    }
}
