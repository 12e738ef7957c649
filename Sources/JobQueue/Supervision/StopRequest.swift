/// A request stored in Redis (the queue's config hash) that its supervisor stop the worker and
/// launch none until the request is cleared.
public struct StopRequest: Sendable, Codable, Equatable {
    /// Who asked (a person, a host, a tool).
    public var by: String
    /// When, ms since the epoch (Redis clock).
    public var at: Int64
    /// Why, in the asker's words; may be empty.
    public var reason: String

    /// Creates a request.
    public init(by: String, at: Int64, reason: String) {
        self.by = by
        self.at = at
        self.reason = reason
    }

    /// `stop requested by <by>` followed by `: <reason>` when there is one.
    public var summary: String {
        "stop requested by \(by)" + (reason.isEmpty ? "" : ": \(reason)")
    }
}
