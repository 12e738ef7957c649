import HumanUnits
import RedisClient

/// Whether an alert is delivered or suppressed, decided in Redis by ``Queue/passAlertGate(kind:interval:)``.
public struct AlertGateDecision: Sendable, Equatable {
    /// `true`: deliver it; `false`: one of the same kind was delivered less than an interval ago.
    public var deliver: Bool
    /// When delivering, how many of the same kind were suppressed since the last one delivered;
    /// when suppressing, how many are suppressed now, this one included.
    public var suppressed: Int
    /// The Redis clock at the decision, ms since the epoch.
    public var at: Int64

    /// Creates a decision.
    public init(deliver: Bool, suppressed: Int, at: Int64) {
        self.deliver = deliver
        self.suppressed = suppressed
        self.at = at
    }
}

extension Queue {
    /// Lets an alert of `kind` through when none of that kind for this queue was let through within
    /// `interval` (by any process: the time is kept in `jobq:{QUEUE}:alerts`), else counts it as
    /// suppressed. Atomic; see `Lua/alert-gate.lua`.
    /// - Parameters:
    ///   - kind: the alert's kind, e.g. `breaker_tripped`.
    ///   - interval: the least time between two alerts of the kind.
    /// - Throws: ``JobQueueError`` `.redis`.
    public func passAlertGate(kind: String, interval: Duration) throws -> AlertGateDecision {
        let arguments: [RedisArgument] = [RedisArgument(kind), RedisArgument(Int(interval.milliseconds))]
        let reply = try redis { try connection.run(QueueScripts.alertGate, keys: keys.scriptKeys, arguments: arguments) }
        let values = (reply.array ?? []).map { $0.integer }
        guard values.count == 3, let deliver = values[0], let suppressed = values[1], let at = values[2] else {
            throw JobQueueError(code: .redis, message: "unexpected reply from the alert gate script: \(reply)")
        }
        return AlertGateDecision(deliver: deliver == 1, suppressed: Int(suppressed), at: at)
    }
}
