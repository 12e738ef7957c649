/// Which primary owns each of the 16384 hash slots, as `CLUSTER SLOTS` reports it, patched by
/// `MOVED` replies between two refreshes.
struct ClusterSlotMap {
    /// The owner of each slot, by index into ``primaries``; -1 for a slot no node serves.
    private var owners: [Int16]
    /// The primaries, in the order `CLUSTER SLOTS` first names them.
    private(set) var primaries: [RedisConfiguration.Endpoint]
    /// Whether the map came from `CLUSTER SLOTS` (a slot without an owner is not served), rather
    /// than from `MOVED` replies alone (a slot without an owner is not known yet).
    private(set) var isComplete = false

    /// A map where no slot has an owner yet (a cluster learned from a `MOVED` reply).
    init() {
        owners = Array(repeating: -1, count: HashSlot.count)
        primaries = []
    }

    /// Reads a `CLUSTER SLOTS` reply: `[[start, end, [host, port, id, ...], replica...], ...]`.
    /// An empty host (a node that does not know its address) means `seedHost`.
    /// - Throws: `.unexpectedReply` when the reply does not have that shape.
    init(clusterSlots reply: RedisReply, seedHost: String) throws {
        self.init()
        guard let ranges = reply.array else { throw RedisError.unexpected(reply, expected: "a CLUSTER SLOTS array") }
        for range in ranges {
            guard let fields = range.array, fields.count >= 3,
                  let start = fields[0].integer, let end = fields[1].integer, 0 <= start, start <= end, end < HashSlot.count,
                  let primary = fields[2].array, primary.count >= 2, let host = primary[0].string, let port = primary[1].integer
            else { throw RedisError.unexpected(reply, expected: "a CLUSTER SLOTS array of [start, end, [host, port, ...], ...]") }
            let node = RedisConfiguration.Endpoint.tcp(host: host.isEmpty || host == "?" ? seedHost : host, port: Int(port))
            for slot in Int(start)...Int(end) { assign(slot, to: node) }
        }
        isComplete = true
    }

    /// The primary that owns `slot`, or `nil` when no node serves it.
    func owner(of slot: Int) -> RedisConfiguration.Endpoint? {
        let index = owners[slot]
        return index < 0 ? nil : primaries[Int(index)]
    }

    /// Records that `node` owns `slot` (after a `MOVED`).
    mutating func assign(_ slot: Int, to node: RedisConfiguration.Endpoint) {
        if let index = primaries.firstIndex(of: node) {
            owners[slot] = Int16(index)
        } else {
            primaries.append(node)
            owners[slot] = Int16(primaries.count - 1)
        }
    }

    /// The primaries that own at least one slot.
    var servingPrimaries: [RedisConfiguration.Endpoint] {
        let used = Set(owners.filter { $0 >= 0 })
        return primaries.indices.filter { used.contains(Int16($0)) }.map { primaries[$0] }
    }
}
