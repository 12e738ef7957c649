/// Running scripts: FCALL where the server has functions, EVALSHA elsewhere, loading the code on
/// each node that lacks it (in a cluster, functions and scripts are per node).
extension RedisConnection {
    /// How many times calls a node answered "not loaded" are loaded and sent again.
    private static let loadRounds = 3
    /// The commands that run scripts, encoded once.
    private static let fcall: RedisArgument = "FCALL", evalsha: RedisArgument = "EVALSHA"

    /// Runs the calls and sends `commands` before them; called with the lock held.
    /// - Parameter readTimeout: the socket read timeout for the round trip that carries
    ///   `commands` (a blocking command among them); the configured command timeout when `nil`.
    static func execute(
        _ script: RedisScript, _ calls: [(keys: [String], arguments: [RedisArgument])], alongside commands: [[RedisArgument]],
        readTimeout: Duration? = nil, _ state: inout State
    ) throws -> (calls: [RedisReply], commands: [RedisReply]) {
        if let function = script.function, state.functionsSupported != false {
            let requests = requests(commands, calls) { invocation(fcall, function.nameArgument, $0) }
            let callRange = commands.count..<requests.count
            let responses = try state.router.send(requests, readTimeout: readTimeout)
            let commandReplies = responses[..<commands.count].map(\.reply)
            if responses[callRange].contains(where: { errorText($0.reply)?.contains("unknown command") == true }) {
                state.functionsSupported = false  // Redis before 7.0: no call ran; use EVALSHA.
                return (try evalScript(script, calls, alongside: [], &state).calls, commandReplies)
            }
            state.functionsSupported = true
            let replies = try reloading(
                requests, responses, calls: callRange, missing: { $0.hasPrefix("ERR Function not found") },
                load: { ["FUNCTION", "LOAD", RedisArgument(function.library)] }, &state)
            return (replies, commandReplies)
        }
        return try evalScript(script, calls, alongside: commands, readTimeout: readTimeout, &state)
    }

    private static func evalScript(
        _ script: RedisScript, _ calls: [(keys: [String], arguments: [RedisArgument])], alongside commands: [[RedisArgument]],
        readTimeout: Duration? = nil, _ state: inout State
    ) throws -> (calls: [RedisReply], commands: [RedisReply]) {
        guard !calls.isEmpty else {
            let requests = commands.map { RedisRouter.Request($0, bestEffort: true) }
            return ([], try state.router.send(requests, readTimeout: readTimeout).map(\.reply))
        }
        // Built only when needed: a script's source is kilobytes, copied on every call otherwise.
        let load = { () -> [RedisArgument] in ["SCRIPT", "LOAD", RedisArgument(script.source)] }
        let sha: RedisArgument
        if let known = state.scriptHashes[script.name] {
            sha = RedisArgument(known)
        } else {
            let reply = try state.router.send([RedisRouter.Request(load())])[0].reply.throwingServerError()
            guard let loaded = reply.string else { throw RedisError.unexpected(reply, expected: "a script SHA1") }
            state.scriptHashes[script.name] = loaded
            sha = RedisArgument(loaded)
        }
        let requests = requests(commands, calls) { invocation(evalsha, sha, $0) }
        let responses = try state.router.send(requests, readTimeout: readTimeout)
        let replies = try reloading(
            requests, responses, calls: commands.count..<requests.count, missing: { $0.hasPrefix("NOSCRIPT") }, load: load, &state)
        return (replies, responses[..<commands.count].map(\.reply))
    }

    /// The commands (best effort) and then the calls, as one batch.
    private static func requests(
        _ commands: [[RedisArgument]], _ calls: [(keys: [String], arguments: [RedisArgument])],
        _ invocation: ((keys: [String], arguments: [RedisArgument])) -> [RedisArgument]
    ) -> [RedisRouter.Request] {
        var requests: [RedisRouter.Request] = []
        requests.reserveCapacity(commands.count + calls.count)
        for command in commands { requests.append(RedisRouter.Request(command, bestEffort: true)) }
        for call in calls { requests.append(RedisRouter.Request(invocation(call))) }
        return requests
    }

    /// Loads the code on every node that answered `missing` to one of the `calls` (positions in
    /// `requests` and `first`) and sends those calls again, a few rounds at most (a call
    /// redirected to another node may find it lacking the code too).
    /// - Returns: the replies of the calls, in order.
    private static func reloading(
        _ requests: [RedisRouter.Request], _ first: [RedisRouter.Response], calls: Range<Int>, missing: (String) -> Bool,
        load: () -> [RedisArgument], _ state: inout State
    ) throws -> [RedisReply] {
        var responses = first
        for _ in 0..<loadRounds {
            let lacking = calls.filter { errorText(responses[$0].reply).map(missing) == true }
            guard !lacking.isEmpty else { break }
            var nodes: [RedisConfiguration.Endpoint] = []
            for index in lacking where !nodes.contains(responses[index].node) { nodes.append(responses[index].node) }
            let command = load()
            for loaded in try state.router.send(nodes.map { RedisRouter.Request(command, node: $0) }) {
                if let text = errorText(loaded.reply), !text.contains("already exists") { throw RedisError.server(text) }
            }
            for (index, response) in zip(lacking, try state.router.send(lacking.map { requests[$0] })) {
                responses[index] = response
            }
        }
        return responses[calls].map(\.reply)
    }

    private static func invocation(
        _ command: RedisArgument, _ target: RedisArgument, _ call: (keys: [String], arguments: [RedisArgument])
    ) -> [RedisArgument] {
        var invocation: [RedisArgument] = []
        invocation.reserveCapacity(3 + call.keys.count + call.arguments.count)
        invocation.append(command)
        invocation.append(target)
        invocation.append(RedisArgument(call.keys.count))
        for key in call.keys { invocation.append(RedisArgument(key)) }
        invocation.append(contentsOf: call.arguments)
        return invocation
    }

    private static func errorText(_ reply: RedisReply) -> String? {
        if case .error(let text) = reply { return text }
        return nil
    }
}
