/// A cluster redirection error reply: `MOVED <slot> <host>:<port>` (the slot has a new owner: update
/// the slot map) or `ASK <slot> <host>:<port>` (the slot is migrating and the key may be on the
/// target already: send `ASKING` and the command there, once, without changing the map).
struct ClusterRedirect {
    /// Which redirection.
    enum Kind {
        case moved
        case ask
    }

    var kind: Kind
    var slot: Int
    var node: RedisConfiguration.Endpoint

    /// Parses an error reply; `nil` when it is not a redirection. An empty host (a node that does
    /// not know its own address) means the host of the node that answered.
    init?(_ text: String, answeredBy node: RedisConfiguration.Endpoint) {
        let words = text.split(separator: " ")
        guard words.count == 3, let slot = Int(words[1]), (0..<HashSlot.count).contains(slot),
              let colon = words[2].lastIndex(of: ":"), let port = Int(words[2][words[2].index(after: colon)...])
        else { return nil }
        switch words[0] {
        case "MOVED": kind = .moved
        case "ASK": kind = .ask
        default: return nil
        }
        var host = String(words[2][..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty, case .tcp(let answering, _) = node { host = answering }
        self.slot = slot
        self.node = .tcp(host: host, port: port)
    }
}
