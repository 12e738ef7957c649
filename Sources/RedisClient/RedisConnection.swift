import Foundation
import Synchronization

/// A connection to one Redis server, safe to share between threads.
///
/// Commands are synchronous: the calling thread waits for the reply, so call them from a thread of
/// your own, never from Swift's cooperative pool. Calls from several threads are serialised; a
/// thread that waits in a blocking command (``blockingCommand(_:timeout:)``) holds the connection
/// for that long, so give blocking consumers a connection of their own.
///
/// After a transport error the underlying hiredis context is freed and the error is thrown; the
/// next command opens a new connection (authenticating and selecting the database again). Retrying
/// with backoff is the caller's choice: see ``Backoff``.
public final class RedisConnection: Sendable {
    /// The configuration this connection was made with. Its description hides the password.
    public let configuration: RedisConfiguration
    private let state: Mutex<State>
    /// Checks the server's `maxmemory-policy` when a connection opens (see `EvictionGuard.swift`).
    let evictionGuard = EvictionGuard()

    // The hiredis context is not thread-safe and not Sendable; the mutex is the only way to it.
    private struct State: ~Copyable {
        var context: RedisContext?
        var scriptHashes: [String: String] = [:]
        /// Whether the server runs functions (FCALL); `nil` until the first try.
        var functionsSupported: Bool?
    }

    /// Creates a connection and opens it at once, so a wrong address or password fails here.
    /// - Throws: ``RedisError`` (`.connectionFailed`, `.authenticationFailed`, `.timeout`).
    public init(configuration: RedisConfiguration) throws {
        self.configuration = configuration
        self.state = Mutex(State())
        try state.withLock { state in _ = try self.openIfNeeded(&state) }
    }

    /// Creates a connection that opens on its first command: for long-running processes that must
    /// start, and wait, while Redis is not there yet.
    public init(openingLazily configuration: RedisConfiguration) {
        self.configuration = configuration
        self.state = Mutex(State())
    }

    /// Closes the socket. The next command opens a new one.
    public func close() {
        state.withLock { $0.context = nil }
    }

    /// Sends one command and returns its reply.
    /// - Throws: ``RedisError``: `.serverError` for an error reply (the connection stays open),
    ///   a transport code when the connection failed (it is closed).
    @discardableResult
    public func command(_ arguments: [RedisArgument]) throws -> RedisReply {
        try state.withLock { state in
            try self.exchange(&state) { context in try context.command(arguments) }
        }.throwingServerError()
    }

    /// Sends a command that blocks on the server (BLMOVE, BRPOPLPUSH, BLPOP ...) for at most
    /// `timeout`; the socket read timeout is raised to `timeout` plus the configured margin for
    /// this command only, so the reply is never cut off by the client.
    @discardableResult
    public func blockingCommand(_ arguments: [RedisArgument], timeout: Duration) throws -> RedisReply {
        try state.withLock { state in
            try self.exchange(&state) { context in
                context.setTimeout(timeout + self.configuration.blockingMargin)
                defer { context.setTimeout(self.configuration.commandTimeout) }
                return try context.command(arguments)
            }
        }.throwingServerError()
    }

    /// Sends all commands in one round trip and returns one reply each, in order; error replies
    /// are returned as ``RedisReply/error(_:)`` values, not thrown.
    /// - Throws: ``RedisError`` only for transport failures.
    public func pipeline(_ commands: [[RedisArgument]]) throws -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        return try state.withLock { state in
            try self.exchange(&state) { context in try context.pipeline(commands) }
        }
    }

    /// Runs a Lua script: with FCALL when the script has a function form and the server runs
    /// functions (loading its library when the server does not have it yet, or lost it), else by
    /// its SHA1 (EVALSHA), loading it first when this connection has not yet, and again when the
    /// server answers NOSCRIPT (after a restart or SCRIPT FLUSH).
    @discardableResult
    public func run(_ script: RedisScript, keys: [String], arguments: [RedisArgument]) throws -> RedisReply {
        try runPipelined(script, calls: [(keys: keys, arguments: arguments)])[0].throwingServerError()
    }

    /// Runs a script several times in one round trip; one reply (possibly `.error`) per call.
    /// Calls that were not executed because the server lacked the script or function are sent
    /// again after loading it.
    public func runPipelined(_ script: RedisScript, calls: [(keys: [String], arguments: [RedisArgument])]) throws -> [RedisReply] {
        guard !calls.isEmpty else { return [] }
        return try state.withLock { state in
            if let function = script.function, state.functionsSupported != false {
                let replies = try self.callFunction(function, calls, &state)
                if state.functionsSupported == true { return replies }
            }
            return try self.evalScript(script, calls, &state)
        }
    }

    // MARK: - Internals (called with the lock held)

    private func callFunction(
        _ function: RedisScript.Function, _ calls: [(keys: [String], arguments: [RedisArgument])], _ state: inout State
    ) throws -> [RedisReply] {
        var replies = try exchange(&state) { context in
            try context.pipeline(calls.map { Self.invocation("FCALL", function.name, $0.keys, $0.arguments) })
        }
        if replies.contains(where: { Self.errorText($0)?.contains("unknown command") == true }) {
            state.functionsSupported = false  // Redis before 7.0: nothing ran; use EVALSHA.
            return replies
        }
        state.functionsSupported = true
        let missing = replies.indices.filter { Self.errorText(replies[$0])?.hasPrefix("ERR Function not found") == true }
        if !missing.isEmpty {
            let loaded = try exchange(&state) { try $0.command(["FUNCTION", "LOAD", RedisArgument(function.library)]) }
            if let text = Self.errorText(loaded), !text.contains("already exists") { throw RedisError.server(text) }
            let again = try exchange(&state) { context in
                try context.pipeline(missing.map { Self.invocation("FCALL", function.name, calls[$0].keys, calls[$0].arguments) })
            }
            for (index, reply) in zip(missing, again) { replies[index] = reply }
        }
        return replies
    }

    private func evalScript(_ script: RedisScript, _ calls: [(keys: [String], arguments: [RedisArgument])], _ state: inout State) throws -> [RedisReply] {
        var sha = try scriptHash(script, &state)
        var replies = try exchange(&state) { context in
            try context.pipeline(calls.map { Self.invocation("EVALSHA", sha, $0.keys, $0.arguments) })
        }
        let missing = replies.indices.filter { Self.errorText(replies[$0])?.hasPrefix("NOSCRIPT") == true }
        if !missing.isEmpty {
            state.scriptHashes[script.name] = nil
            sha = try scriptHash(script, &state)
            let again = try exchange(&state) { context in
                try context.pipeline(missing.map { Self.invocation("EVALSHA", sha, calls[$0].keys, calls[$0].arguments) })
            }
            for (index, reply) in zip(missing, again) { replies[index] = reply }
        }
        return replies
    }

    // MARK: - Internals (called with the lock held)

    private func exchange<T>(_ state: inout State, _ body: (RedisContext) throws -> T) throws -> T {
        let context = try openIfNeeded(&state)
        do {
            return try body(context)
        } catch let error as RedisError where error.isTransport {
            state.context = nil  // hiredis errors are sticky: this context is done for.
            throw error
        }
    }

    private func openIfNeeded(_ state: inout State) throws -> RedisContext {
        if let context = state.context { return context }
        let context = try RedisContext(endpoint: configuration.endpoint, connectTimeout: configuration.connectTimeout)
        context.setTimeout(configuration.commandTimeout)
        if configuration.keepAlive, case .tcp = configuration.endpoint { context.enableKeepAlive() }
        var setup: [[RedisArgument]] = []
        if let password = configuration.password {
            setup.append(configuration.username.map { ["AUTH", RedisArgument($0), RedisArgument(password)] } ?? ["AUTH", RedisArgument(password)])
        }
        if configuration.database != 0 { setup.append(["SELECT", RedisArgument(configuration.database)]) }
        if let name = configuration.clientName { setup.append(["CLIENT", "SETNAME", RedisArgument(name)]) }
        for (index, reply) in try evictionGuard.pipeline(setup, on: context, configuration).enumerated() {
            guard case .error(let text) = reply else { continue }
            if index == 0 && configuration.password != nil {
                throw RedisError(code: .authenticationFailed, message: "Redis at \(configuration) refused the credentials: \(text)")
            }
            throw RedisError.server(text)
        }
        state.context = context
        return context
    }

    private func scriptHash(_ script: RedisScript, _ state: inout State) throws -> String {
        if let sha = state.scriptHashes[script.name] { return sha }
        let reply = try exchange(&state) { try $0.command(["SCRIPT", "LOAD", RedisArgument(script.source)]) }.throwingServerError()
        guard let sha = reply.string else { throw RedisError.unexpected(reply, expected: "a script SHA1") }
        state.scriptHashes[script.name] = sha
        return sha
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
