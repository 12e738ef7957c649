/// Running scripts: FCALL where the server has functions, EVALSHA elsewhere, loading the code on
/// each node that lacks it (in a cluster, functions and scripts are per node).
extension RedisConnection {
    /// How many times calls a node answered "not loaded" are loaded and sent again.
    private static let loadRounds = 3

    /// Runs the calls and sends `commands` before them; called with the lock held.
    /// - Parameter readTimeout: the socket read timeout for the round trip that carries
    ///   `commands` (a blocking command among them); the configured command timeout when `nil`.
    static func execute(
        _ script: RedisScript, _ calls: [(keys: [String], arguments: [RedisArgument])], alongside commands: [[RedisArgument]],
        readTimeout: Duration? = nil, _ state: inout State
    ) throws -> (calls: [RedisReply], commands: [RedisReply]) {
        let plain = commands.map { RedisRouter.Request($0, bestEffort: true) }
        if let function = script.function, state.functionsSupported != false {
            let invocations = calls.map { RedisRouter.Request(invocation("FCALL", function.name, $0.keys, $0.arguments)) }
            let responses = try state.router.send(plain + invocations, readTimeout: readTimeout)
            let commandReplies = responses.prefix(plain.count).map(\.reply)
            let callResponses = Array(responses.dropFirst(plain.count))
            if callResponses.contains(where: { errorText($0.reply)?.contains("unknown command") == true }) {
                state.functionsSupported = false  // Redis before 7.0: no call ran; use EVALSHA.
                return (try evalScript(script, calls, alongside: [], &state).calls, commandReplies)
            }
            state.functionsSupported = true
            let replies = try reloading(
                invocations, callResponses, missing: { $0.hasPrefix("ERR Function not found") },
                load: { ["FUNCTION", "LOAD", RedisArgument(function.library)] }, &state)
            return (replies, commandReplies)
        }
        return try evalScript(script, calls, alongside: plain, readTimeout: readTimeout, &state)
    }

    private static func evalScript(
        _ script: RedisScript, _ calls: [(keys: [String], arguments: [RedisArgument])], alongside plain: [RedisRouter.Request],
        readTimeout: Duration? = nil, _ state: inout State
    ) throws -> (calls: [RedisReply], commands: [RedisReply]) {
        guard !calls.isEmpty else { return ([], try state.router.send(plain, readTimeout: readTimeout).map(\.reply)) }
        // Built only when needed: a script's source is kilobytes, copied on every call otherwise.
        let load = { () -> [RedisArgument] in ["SCRIPT", "LOAD", RedisArgument(script.source)] }
        let sha: String
        if let known = state.scriptHashes[script.name] {
            sha = known
        } else {
            let reply = try state.router.send([RedisRouter.Request(load())])[0].reply.throwingServerError()
            guard let loaded = reply.string else { throw RedisError.unexpected(reply, expected: "a script SHA1") }
            state.scriptHashes[script.name] = loaded
            sha = loaded
        }
        let invocations = calls.map { RedisRouter.Request(invocation("EVALSHA", sha, $0.keys, $0.arguments)) }
        let responses = try state.router.send(plain + invocations, readTimeout: readTimeout)
        let replies = try reloading(
            invocations, Array(responses.dropFirst(plain.count)), missing: { $0.hasPrefix("NOSCRIPT") }, load: load, &state)
        return (replies, responses.prefix(plain.count).map(\.reply))
    }

    /// Loads the code on every node that answered `missing` and sends those calls again, a few
    /// rounds at most (a call redirected to another node may find it lacking the code too).
    private static func reloading(
        _ requests: [RedisRouter.Request], _ first: [RedisRouter.Response], missing: (String) -> Bool, load: () -> [RedisArgument],
        _ state: inout State
    ) throws -> [RedisReply] {
        var responses = first
        for _ in 0..<loadRounds {
            let lacking = responses.indices.filter { errorText(responses[$0].reply).map(missing) == true }
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
        return responses.map(\.reply)
    }

    private static func invocation(_ command: RedisArgument, _ target: String, _ keys: [String], _ arguments: [RedisArgument]) -> [RedisArgument] {
        var invocation: [RedisArgument] = [command, RedisArgument(target), RedisArgument(keys.count)]
        invocation.reserveCapacity(3 + keys.count + arguments.count)
        for key in keys { invocation.append(RedisArgument(key)) }
        invocation.append(contentsOf: arguments)
        return invocation
    }

    private static func errorText(_ reply: RedisReply) -> String? {
        if case .error(let text) = reply { return text }
        return nil
    }
}
