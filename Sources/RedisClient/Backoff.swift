import Foundation

/// Capped exponential backoff with full jitter, for reconnecting and for retrying jobs.
///
/// The n-th delay (from 0) is a random duration in `[base·2ⁿ / 2, base·2ⁿ]`, never above `cap`.
/// Half the spread is kept so that the wait always grows; the random half keeps many clients that
/// failed together from retrying together.
public struct Backoff: Sendable {
    /// The first delay. Default: 100 ms.
    public var base: Duration
    /// The largest delay. Default: 30 s.
    public var cap: Duration
    /// How many delays have been handed out since the last ``reset()``.
    public private(set) var attempt: Int = 0

    /// Creates a backoff.
    public init(base: Duration = .milliseconds(100), cap: Duration = .seconds(30)) {
        self.base = base
        self.cap = cap
    }

    /// The delay for a given attempt number (0-based), with jitter.
    public func delay(forAttempt attempt: Int) -> Duration {
        let baseSeconds = Double(base.components.seconds) + Double(base.components.attoseconds) / 1e18
        let capSeconds = Double(cap.components.seconds) + Double(cap.components.attoseconds) / 1e18
        let ceiling = min(capSeconds, baseSeconds * pow(2, Double(min(attempt, 40))))
        let seconds = Double.random(in: (ceiling / 2)...max(ceiling / 2, ceiling))
        return .milliseconds(Int64(seconds * 1000))
    }

    /// The next delay; each call grows it until the cap.
    public mutating func next() -> Duration {
        defer { attempt += 1 }
        return delay(forAttempt: attempt)
    }

    /// Starts again from the first delay (after a success).
    public mutating func reset() { attempt = 0 }
}
