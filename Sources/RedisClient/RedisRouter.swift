import Foundation

/// Where a connection's commands go: one standalone server, or the primaries of a Redis Cluster,
/// each over a hiredis context of its own.
///
/// The first open of the configured endpoint (the *seed*) also asks `CLUSTER SLOTS`, in the same
/// round trip as AUTH and CLIENT SETNAME: an error reply means a standalone server, an array is
/// the cluster's slot map. In a cluster each command goes to the primary that owns the hash slot
/// of its key (``CommandKeys``); commands without a key go to the seed. `MOVED` updates the map
/// and sends the command to the new owner, `ASK` sends `ASKING` and the command to the importing
/// node once, `TRYAGAIN` (a multi-key command while its slot migrates) waits a little and sends
/// it again: at most ``attemptLimit`` sends in all, then the last error reply is returned.
///
/// Behind Sentinel the seed is the master the sentinels name (``SentinelResolver``), found again
/// when a socket fails, when a node answers that it cannot take writes (`READONLY`, `LOADING` ...),
/// and when the periodic check finds that the sentinels moved the master.
///
/// Not thread-safe, like the contexts it owns: ``RedisConnection`` keeps it behind its mutex.
struct RedisRouter: ~Copyable {
    /// One command, and the node it must go to when the caller chooses (`nil`: route by its key).
    struct Request {
        var arguments: [RedisArgument]
        var node: RedisConfiguration.Endpoint?
        /// Bookkeeping that must not fail the batch: when the node it goes to, and only such
        /// requests, cannot be reached, its reply is an error reply instead of a thrown error.
        var bestEffort: Bool

        init(_ arguments: [RedisArgument], node: RedisConfiguration.Endpoint? = nil, bestEffort: Bool = false) {
            self.arguments = arguments
            self.node = node
            self.bestEffort = bestEffort
        }
    }

    /// A reply and the node that sent it.
    struct Response {
        var reply: RedisReply
        var node: RedisConfiguration.Endpoint
    }

    /// What the seed turned out to be.
    enum Topology {
        /// Not opened yet (or closed).
        case unknown
        /// One server: every command goes to the seed.
        case standalone
        /// A Redis Cluster and its slot map.
        case cluster(ClusterSlotMap)
    }

    /// Sends of one request before the last reply is taken as it is: redirections and TRYAGAIN.
    static let attemptLimit = 16
    /// The first wait after TRYAGAIN; it doubles up to ``tryAgainWaitCap``.
    static let tryAgainWait: Duration = .milliseconds(10)
    /// The longest wait after TRYAGAIN. With ``attemptLimit`` a migrating slot is waited for about
    /// two seconds before `TRYAGAIN` reaches the caller (as `.unavailable`).
    static let tryAgainWaitCap: Duration = .milliseconds(200)

    let configuration: RedisConfiguration
    /// Finds the master for a `redis+sentinel://` configuration; `nil` otherwise.
    private let sentinel: SentinelResolver?
    private(set) var topology: Topology = .unknown
    private var contexts: [RedisConfiguration.Endpoint: RedisContext] = [:]
    /// Set after a transport failure in a cluster: the next send asks for the slot map first.
    private var mapIsStale = false
    /// When the slot map may be asked for again after no node answered.
    private var nextRefresh = ContinuousClock.now
    /// How long to wait before asking again when no node answered for the slot map.
    static let refreshPause: Duration = .seconds(1)

    /// Checks each node's `maxmemory-policy` as it opens.
    private let evictionGuard: EvictionGuard

    init(configuration: RedisConfiguration, evictionGuard: EvictionGuard) {
        self.configuration = configuration
        self.evictionGuard = evictionGuard
        sentinel = configuration.sentinel.map(SentinelResolver.init)
        seed = configuration.endpoint
    }

    /// The endpoint to open first: the server, the cluster node that was named, or the master the
    /// sentinels named last.
    private(set) var seed: RedisConfiguration.Endpoint

    /// Whether the seed is a cluster node (`false` until it was opened).
    var isCluster: Bool {
        if case .cluster = topology { return true }
        return false
    }

    /// Opens the seed unless it is open, learning the topology; nothing to do once a cluster's
    /// map is known (the seed may be the master that is down).
    mutating func connect() throws {
        if isCluster { return }
        _ = try context(for: seed)
    }

    /// Closes every socket and forgets the topology; the next command opens the seed again.
    mutating func closeAll() {
        contexts = [:]
        topology = .unknown
        mapIsStale = false
    }

    /// The primaries: the seed for a standalone server, else every primary that owns slots, from
    /// a slot map asked for now.
    mutating func primaries() throws -> [RedisConfiguration.Endpoint] {
        try connect()
        guard case .cluster = topology else { return [seed] }
        refreshSlotMap()
        guard case .cluster(let map) = topology else { return [seed] }
        return map.servingPrimaries
    }

    /// Whether `node` is a primary in the slot map.
    func knows(_ node: RedisConfiguration.Endpoint) -> Bool {
        if case .cluster(let map) = topology { return map.primaries.contains(node) }
        return false
    }

    // MARK: - Sending

    /// Sends every request to its node and returns one response each, in order. All nodes are
    /// written to before any is read, so a batch over three primaries costs one round trip.
    /// Redirections are followed for requests routed by key; a request sent to a chosen node gets
    /// whatever that node answers.
    /// - Parameter readTimeout: the socket read timeout for this batch (blocking commands); the
    ///   configured command timeout when `nil`.
    /// - Throws: ``RedisError`` for transport failures; error replies are returned.
    mutating func send(_ requests: [Request], readTimeout: Duration? = nil) throws -> [Response] {
        if mapIsStale { refreshSlotMap() }
        if let sentinel, !contexts.isEmpty, sentinel.masterMoved() { closeAll() }
        // Behind Sentinel the seed is known only once the sentinels named the master: ask them
        // before routing, so every reply is tagged with the node that really sent it.
        if sentinel != nil, contexts[seed] == nil { try connect() }
        // Built by appending: `Array(repeating:count:)` looks the array's type up at run time,
        // which costs more than the rest of routing a command.
        var responses: [Response?] = []
        responses.reserveCapacity(requests.count)
        for _ in requests { responses.append(nil) }
        var pending = Array(requests.indices)
        var asking: [Int: RedisConfiguration.Endpoint] = [:]
        var attempts = 0, waits = 0
        while !pending.isEmpty {
            attempts += 1
            // Nodes in the order first routed to; a batch has one node or a few, so a linear
            // search beats hashing endpoints.
            var batches: [Batch] = []
            var previous: (index: Int, node: RedisConfiguration.Endpoint)?
            for index in pending {
                let node: RedisConfiguration.Endpoint
                if !asking.isEmpty, let target = asking[index] {
                    node = target
                } else {
                    let before = index == 0 ? nil : previous?.index == index - 1 ? previous?.node : responses[index - 1]?.node
                    switch route(requests[index], after: before) {
                    case .node(let routed): node = routed
                    case .unserved(let reply):
                        responses[index] = Response(reply: reply, node: seed)
                        continue
                    }
                }
                let asked = !asking.isEmpty && asking[index] != nil
                if let position = batches.firstIndex(where: { $0.node == node }) {
                    batches[position].add(index, asking: asked, bestEffort: requests[index].bestEffort)
                } else {
                    batches.append(Batch(node: node, first: index, asking: asked, bestEffort: requests[index].bestEffort))
                }
                previous = (index, node)
            }
            try exchange(&batches, of: requests, readTimeout: readTimeout)
            var again: [Int] = []
            var moved = false, busy = false
            for batch in batches {
                let node = batch.node
                for (index, reply) in zip(batch.indices, batch.replies) {
                    if !asking.isEmpty { asking[index] = nil }
                    if case .error(let text) = reply, requests[index].node == nil, attempts < Self.attemptLimit {
                        if let redirect = ClusterRedirect(text, answeredBy: node) {
                            if redirect.kind == .moved {
                                learnOwner(redirect.slot, redirect.node)
                                moved = true
                            } else {
                                asking[index] = redirect.node
                            }
                            again.append(index)
                            continue
                        }
                        if text.hasPrefix("TRYAGAIN") {
                            busy = true
                            again.append(index)
                            continue
                        }
                    }
                    responses[index] = Response(reply: reply, node: node)
                }
            }
            // A WAIT after a redirected command would count the replicas of the wrong node: it goes again too.
            for index in again where index + 1 < requests.count && responses[index + 1] != nil
                && requests[index + 1].node == nil && CommandKeys.followsPrevious(requests[index + 1].arguments) {
                responses[index + 1] = nil
                again.append(index + 1)
            }
            again.sort()
            if moved { refreshSlotMap() }
            if busy {
                waits += 1
                let wait = min(Self.tryAgainWait * (1 << min(waits - 1, 16)), Self.tryAgainWaitCap)
                Thread.sleep(forTimeInterval: Double(wait.components.attoseconds) / 1e18 + Double(wait.components.seconds))
            }
            pending = again
        }
        let answered = responses.map { $0! }
        closeUnavailable(answered)
        return answered
    }

    /// Closes the socket of every node that answered it cannot take writes now (`READONLY`,
    /// `LOADING`, `MASTERDOWN`, `CLUSTERDOWN` ...: ``RedisError/Code/unavailable``, but not
    /// `NOREPLICAS`, which the right master answers while its replicas lag), so the next
    /// command connects again: behind Sentinel to the master named then, in a cluster after asking
    /// for the slot map.
    private mutating func closeUnavailable(_ responses: [Response]) {
        for response in responses {
            guard case .error(let text) = response.reply, RedisError.server(text).code == .unavailable,
                  !text.hasPrefix("NOREPLICAS")  // the master is right; it waits for its replicas
            else { continue }
            if sentinel != nil {
                closeAll()
                return
            }
            contexts[response.node] = nil
            if isCluster { mapIsStale = true }
        }
    }

    private enum Route {
        case node(RedisConfiguration.Endpoint)
        /// No node serves the slot: the reply a cluster node would give.
        case unserved(RedisReply)
    }

    /// - Parameter previousNode: where the request before it in the batch went, for `WAIT`.
    private func route(_ request: Request, after previousNode: RedisConfiguration.Endpoint?) -> Route {
        // Behind Sentinel there is one node, the master named last, whatever the caller chose.
        if let node = request.node { return .node(sentinel == nil ? node : seed) }
        guard case .cluster(let map) = topology else { return .node(seed) }
        if let previousNode, CommandKeys.followsPrevious(request.arguments) { return .node(previousNode) }
        guard let key = CommandKeys.routingKey(request.arguments) else { return .node(anyNode(map)) }
        let slot = HashSlot.of(key)
        guard let owner = map.owner(of: slot) else {
            // A map learned one MOVED at a time (CLUSTER SLOTS denied) does not know every slot: ask
            // any node, whose MOVED teaches the owner.
            guard map.isComplete else { return .node(anyNode(map)) }
            return .unserved(.error("CLUSTERDOWN Hash slot \(slot) is not served by any node of the cluster at \(seed.address)"))
        }
        return .node(owner)
    }

    /// Where keyless commands go: the seed while it is open or was never tried, else a primary
    /// that is open.
    private func anyNode(_ map: ClusterSlotMap) -> RedisConfiguration.Endpoint {
        if contexts[seed] != nil { return seed }
        return map.servingPrimaries.first { contexts[$0] != nil } ?? seed
    }

    /// The requests of one round trip that go to one node, in order, and what became of them.
    private struct Batch {
        let node: RedisConfiguration.Endpoint
        private(set) var indices: [Int]
        /// The requests (by position in ``indices``) that go with `ASKING` before them.
        private(set) var asked: [Int] = []
        /// Whether every request is best effort.
        private(set) var bestEffort: Bool
        /// The node's socket once it was written to.
        var context: RedisContext?
        /// One reply per request once read (without the `ASKING` replies).
        var replies: [RedisReply] = []

        init(node: RedisConfiguration.Endpoint, first index: Int, asking: Bool, bestEffort: Bool) {
            self.node = node
            indices = [index]
            if asking { asked = [0] }
            self.bestEffort = bestEffort
        }

        mutating func add(_ index: Int, asking: Bool, bestEffort: Bool) {
            if asking { asked.append(indices.count) }
            indices.append(index)
            self.bestEffort = self.bestEffort && bestEffort
        }
    }

    /// Writes each node's commands (with `ASKING` before those that were asked for), every node
    /// before reading any, then reads the replies into each batch, without the `ASKING` replies.
    /// A node whose commands are all best effort and that fails gets error replies instead of
    /// failing the batch.
    private mutating func exchange(_ batches: inout [Batch], of requests: [Request], readTimeout: Duration?) throws {
        // Batches before this one were written to (or failed to open): after a failure their
        // sockets hold replies no one will read.
        var reached = 0
        var spared = false
        func spare(_ batch: inout Batch, _ error: any Error) -> Bool {
            guard batch.bestEffort, let error = error as? RedisError, error.isRetryable else { return false }
            spared = true
            contexts[batch.node] = nil
            batch.context = nil
            batch.replies = Array(repeating: .error("UNREACHABLE \(batch.node.address): \(error.message)"), count: batch.indices.count)
            return true
        }
        do {
            for position in batches.indices {
                reached = position + 1
                do {
                    let context = try context(for: batches[position].node)
                    batches[position].context = context
                    if let readTimeout { context.setTimeout(readTimeout) }
                    var encoded = RESPCommands()
                    var asked = batches[position].asked.makeIterator(), nextAsked = asked.next()
                    for (offset, index) in batches[position].indices.enumerated() {
                        if offset == nextAsked {
                            encoded.append(["ASKING"])
                            nextAsked = asked.next()
                        }
                        encoded.append(requests[index].arguments)
                    }
                    try context.append(encoded)
                    try context.flush()
                } catch where spare(&batches[position], error) {}
            }
            for position in batches.indices {
                guard let context = batches[position].context else { continue }
                let batch = batches[position]
                let raw: [RedisReply]
                do {
                    raw = try context.readReplies(batch.indices.count + batch.asked.count)
                } catch where spare(&batches[position], error) {
                    continue
                }
                if readTimeout != nil { context.setTimeout(configuration.commandTimeout) }
                if batch.asked.isEmpty {
                    batches[position].replies = raw
                } else {
                    // Drop the reply to each ASKING: the one before the reply of each asked command.
                    var replies: [RedisReply] = []
                    replies.reserveCapacity(batch.indices.count)
                    var asked = batch.asked.makeIterator(), nextAsked = asked.next(), index = 0
                    for offset in batch.indices.indices {
                        if offset == nextAsked {
                            index += 1
                            nextAsked = asked.next()
                        }
                        replies.append(raw[index])
                        index += 1
                    }
                    batches[position].replies = replies
                }
            }
            if spared, isCluster { mapIsStale = true }
        } catch {
            // Replies left unread, or a sticky hiredis error: these contexts are done for.
            for batch in batches.prefix(reached) { contexts[batch.node] = nil }
            if sentinel != nil { closeAll() }
            if let error = error as? RedisError, error.isTransport, isCluster { mapIsStale = true }
            throw error
        }
    }

    // MARK: - Nodes and the slot map

    /// The open context of `node`, opening it first if needed.
    private mutating func context(for node: RedisConfiguration.Endpoint) throws -> RedisContext {
        if let context = contexts[node] { return context }
        if node == seed, let sentinel {
            let master = try sentinel.openMaster { try openNode($0) }
            seed = master.endpoint
            contexts[seed] = master.context
            return master.context
        }
        let context = try openNode(node)
        contexts[node] = context
        return context
    }

    /// Opens a connection to one node and sets it up in one round trip: AUTH, SELECT (standalone
    /// only), CLIENT SETNAME, the eviction check's probe, and while the topology is unknown,
    /// `CLUSTER SLOTS`.
    /// - Throws: `.connectionFailed`, `.authenticationFailed`, `.invalidConfiguration` for a
    ///   database other than 0 on a cluster (a cluster has only database 0).
    private mutating func openNode(_ node: RedisConfiguration.Endpoint) throws -> RedisContext {
        let context = try RedisContext(endpoint: node, connectTimeout: configuration.connectTimeout)
        context.setTimeout(configuration.commandTimeout)
        if configuration.keepAlive, case .tcp = node { context.enableKeepAlive() }
        var setup: [[RedisArgument]] = []
        if let password = configuration.password {
            setup.append(configuration.username.map { ["AUTH", RedisArgument($0), RedisArgument(password)] } ?? ["AUTH", RedisArgument(password)])
        }
        if configuration.database != 0 { setup.append(["SELECT", RedisArgument(configuration.database)]) }
        if let name = configuration.clientName { setup.append(["CLIENT", "SETNAME", RedisArgument(name)]) }
        let learning: Bool
        if case .unknown = topology { learning = true } else { learning = false }
        let (replies, trailing) = try evictionGuard.pipeline(setup, then: learning ? [["CLUSTER", "SLOTS"]] : [], on: context, configuration)
        if case .error(let text) = replies.first, configuration.password != nil {
            throw RedisError(code: .authenticationFailed, message: "Redis at \(configuration) refused the credentials: \(text)")
        }
        if let slots = trailing.first { try learnTopology(slots, from: node) }
        if isCluster && configuration.database != 0 {
            throw RedisError(
                code: .invalidConfiguration,
                message: "Redis at \(node.address) is a cluster node, and a cluster has only database 0: remove /\(configuration.database) from the URL")
        }
        for reply in replies {
            if case .error(let text) = reply { throw RedisError.server(text) }
        }
        return context
    }

    /// Reads the seed's answer to `CLUSTER SLOTS`: an array is a cluster's map; "cluster support
    /// disabled" is a standalone server; NOAUTH (a password is needed and none was given) is thrown
    /// here, before a command is sent that the server would refuse less clearly. Any other refusal
    /// (an ACL without `CLUSTER`) counts as standalone until a `MOVED` says otherwise.
    private mutating func learnTopology(_ reply: RedisReply, from node: RedisConfiguration.Endpoint) throws {
        switch reply {
        case .array:
            topology = .cluster(try ClusterSlotMap(clusterSlots: reply, seedHost: node.host))
        case .error(let text) where text.hasPrefix("NOAUTH"):
            throw RedisError.server(text)
        default:
            topology = .standalone
        }
    }

    /// Records a `MOVED`: in a connection that took its server for a standalone one, this is how
    /// it learns that it is talking to a cluster.
    private mutating func learnOwner(_ slot: Int, _ node: RedisConfiguration.Endpoint) {
        var map: ClusterSlotMap
        if case .cluster(let known) = topology { map = known } else { map = ClusterSlotMap() }
        map.assign(slot, to: node)
        topology = .cluster(map)
    }

    /// Asks for the slot map again: first an open primary, then the other primaries that serve
    /// slots, then the seed. Keeps the current map when none answers (the next command fails on
    /// its node, clearly), and then does not ask again for ``refreshPause``, so that dead nodes'
    /// connect timeouts are not paid on every command.
    private mutating func refreshSlotMap() {
        guard case .cluster(let current) = topology, ContinuousClock.now >= nextRefresh else { return }
        mapIsStale = false
        let serving = current.servingPrimaries
        var candidates = serving.filter { contexts[$0] != nil }
        for node in serving + [seed] where !candidates.contains(node) { candidates.append(node) }
        for node in candidates {
            do {
                let reply = try context(for: node).command(["CLUSTER", "SLOTS"])
                topology = .cluster(try ClusterSlotMap(clusterSlots: reply, seedHost: node.host))
                return
            } catch let error as RedisError where error.isTransport {
                contexts[node] = nil
            } catch {
                continue
            }
        }
        nextRefresh = ContinuousClock.now + Self.refreshPause
    }
}

extension RedisConfiguration.Endpoint {
    /// `host:port` or the socket path, for messages.
    var address: String {
        switch self {
        case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unix(let path): return path
        }
    }

    /// The host name, or `127.0.0.1` for a Unix socket (a cluster node that does not know its
    /// own address is reached at the seed's host).
    var host: String {
        if case .tcp(let host, _) = self { return host }
        return "127.0.0.1"
    }
}
