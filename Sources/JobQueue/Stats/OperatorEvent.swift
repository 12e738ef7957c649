/// An operator's action on a queue (an emergency stop, a resume), as kept in the queue's events list
/// (`QueueKeys.events`, newest first, the last 50) and shown by `jobq stats`.
///
/// Stored as a JSON object with snake_case keys; `at` is set by Redis when it is recorded.
public struct OperatorEvent: Sendable, Codable, Equatable {
    /// What kind of action it was.
    public enum Action: String, Sendable, Codable {
        /// `jobq emergency-stop`: paused, stop requested, units stopped, duplicates killed.
        case emergencyStop = "emergency-stop"
        /// `jobq resume`: pause and stop request cleared.
        case resume
    }

    /// When it was recorded (ms since the epoch, Redis clock); 0 until stored.
    public var at: Int64
    /// Who did it, `user@host`.
    public var by: String
    /// What kind of action it was.
    public var action: Action
    /// Why, in the operator's words; may be empty.
    public var reason: String
    /// What was done, one line per step (`paused the queue`, `stopped unit rivet-worker.service`).
    public var steps: [String]
    /// The systemd units the action stopped (to start again by hand after a resume).
    public var units: [String]

    /// Creates an event; `at` is set when it is recorded.
    public init(by: String, action: Action, reason: String = "", steps: [String] = [], units: [String] = []) {
        self.at = 0
        self.by = by
        self.action = action
        self.reason = reason
        self.steps = steps
        self.units = units
    }

    enum CodingKeys: String, CodingKey {
        case at, by, action, reason, steps, units
    }

    /// Decodes a stored event; lists recorded empty may come back as `{}` from Lua and read as empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        at = try container.decodeIfPresent(Int64.self, forKey: .at) ?? 0
        by = try container.decode(String.self, forKey: .by)
        action = try container.decode(Action.self, forKey: .action)
        reason = try container.decodeIfPresent(String.self, forKey: .reason) ?? ""
        steps = (try? container.decodeIfPresent([String].self, forKey: .steps)) ?? []
        units = (try? container.decodeIfPresent([String].self, forKey: .units)) ?? []
    }

    /// Encodes every field; `at` is left out until the event is stored.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if at != 0 { try container.encode(at, forKey: .at) }
        try container.encode(by, forKey: .by)
        try container.encode(action, forKey: .action)
        try container.encode(reason, forKey: .reason)
        try container.encode(steps, forKey: .steps)
        try container.encode(units, forKey: .units)
    }
}
