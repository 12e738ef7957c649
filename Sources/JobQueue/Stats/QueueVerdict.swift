/// A judgement of a queue's health from its statistics, with the evidence and the commands that help.
///
/// ``judge(_:configuration:)`` applies the rules documented in `docs/operations.md`.
public struct QueueVerdict: Sendable, Codable, Equatable {
    /// The verdicts, in the order of urgency in which they are listed.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// Nothing wrong.
        case ok
        /// Jobs vanished from Redis (evicted) and were counted lost.
        case lost
        /// Workers keep crashing, or the crash-loop breaker tripped.
        case crashLoop = "crash_loop"
        /// Work waits and nothing progresses, or leases keep expiring.
        case stuck
        /// A stop request holds the queue's supervisor.
        case stopped
        /// The queue is paused.
        case paused
        /// Work arrives faster than it is processed and the waiting list grows.
        case backlog

        /// How `jobq stats` prints it: `OK`, `LOST`, `CRASH LOOP`, `STUCK`, `STOPPED`, `PAUSED`, `BACKLOG`.
        public var title: String {
            rawValue.replacingOccurrences(of: "_", with: " ").uppercased()
        }
    }

    /// Which verdict.
    public var kind: Kind
    /// One sentence saying what is wrong.
    public var summary: String
    /// The figures behind it, one per line.
    public var evidence: [String]
    /// Commands that help, in the order to run them.
    public var fix: [String]

    /// Creates a verdict.
    public init(kind: Kind, summary: String, evidence: [String], fix: [String]) {
        self.kind = kind
        self.summary = summary
        self.evidence = evidence
        self.fix = fix
    }

    enum CodingKeys: String, CodingKey {
        case kind = "verdict"
        case summary, evidence, fix
    }
}
