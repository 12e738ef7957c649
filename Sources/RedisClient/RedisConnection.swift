import Foundation
import Synchronization

/// A connection to Redis, safe to share between threads: one standalone server, or a Redis Cluster
/// reached through any one of its primaries.
///
/// Commands are synchronous: the calling thread waits for the reply, so call them from a thread of
/// your own, never from Swift's cooperative pool. Calls from several threads are serialised; a
/// thread that waits in a blocking command (``blockingCommand(_:timeout:)``) holds the connection
/// for that long, so give blocking consumers a connection of their own.
///
/// The first open learns whether the server is a cluster node (`CLUSTER SLOTS`, in the same round
/// trip as AUTH). In a cluster every command goes to the primary that owns its key's hash slot,
/// over a socket per primary; `MOVED`, `ASK` and `TRYAGAIN` are followed a bounded number of times
/// (see `docs/keys.md`, "Redis Cluster"). Nothing else changes for the caller.
///
/// Behind Sentinel (``RedisConfiguration/sentinel``) each open asks the sentinels for the current
/// master, and a connection in use asks them again every second.
///
/// After a transport error the failed socket is closed and the error is thrown; the next command
/// opens a new connection (authenticating and selecting the database again); so does an error
/// reply saying the server cannot take writes now (``RedisError/Code/unavailable``). Retrying with
/// backoff is the caller's choice: see ``Backoff``.
public final class RedisConnection: Sendable {
    /// The configuration this connection was made with. Its description hides the password.
    public let configuration: RedisConfiguration
    private let state: Mutex<State>
    /// Checks the server's `maxmemory-policy` when a connection opens (see `EvictionGuard.swift`).
    let evictionGuard: EvictionGuard

    // The hiredis contexts are not thread-safe and not Sendable; the mutex is the only way to them.
    struct State: ~Copyable {
        var router: RedisRouter
        /// Each script's SHA1 once a server loaded it (the same on every node).
        var scriptHashes: [String: String] = [:]
        /// Whether the server runs functions (FCALL); `nil` until the first try.
        var functionsSupported: Bool?
    }

    /// Creates a connection and opens it at once, so a wrong address or password fails here.
    /// - Throws: ``RedisError`` (`.connectionFailed`, `.authenticationFailed`, `.timeout`, and
    ///   `.invalidConfiguration` for a database other than 0 on a cluster).
    public init(configuration: RedisConfiguration) throws {
        self.configuration = configuration
        let evictionGuard = EvictionGuard()
        self.evictionGuard = evictionGuard
        self.state = Mutex(State(router: RedisRouter(configuration: configuration, evictionGuard: evictionGuard)))
        try state.withLock { try $0.router.connect() }
    }

    /// Creates a connection that opens on its first command: for long-running processes that must
    /// start, and wait, while Redis is not there yet.
    public init(openingLazily configuration: RedisConfiguration) {
        self.configuration = configuration
        let evictionGuard = EvictionGuard()
        self.evictionGuard = evictionGuard
        self.state = Mutex(State(router: RedisRouter(configuration: configuration, evictionGuard: evictionGuard)))
    }

    /// Closes every socket. The next command opens the configured endpoint again.
    public func close() {
        state.withLock { $0.router.closeAll() }
    }

    /// Sends one command and returns its reply. In a cluster it goes to the node that owns its
    /// key (the first key; a command without keys, such as INFO, goes to the node the URL names
    /// while it is reachable, else to another primary; behind Sentinel, to the current master).
    /// - Throws: ``RedisError``: `.serverError` for an error reply (the connection stays open),
    ///   a transport code when the connection failed (it is closed).
    @discardableResult
    public func command(_ arguments: [RedisArgument]) throws -> RedisReply {
        try state.withLock { try $0.router.send([RedisRouter.Request(arguments)])[0].reply }.throwingServerError()
    }

    /// Sends a command that blocks on the server (BLMOVE, BRPOPLPUSH, BLPOP ...) for at most
    /// `timeout`; the socket read timeout is raised to `timeout` plus the configured margin for
    /// this command only, so the reply is never cut off by the client.
    @discardableResult
    public func blockingCommand(_ arguments: [RedisArgument], timeout: Duration) throws -> RedisReply {
        try state.withLock { state in
            try state.router.send([RedisRouter.Request(arguments)], readTimeout: timeout + configuration.blockingMargin)[0].reply
        }.throwingServerError()
    }

    /// Sends a blocking command (as ``blockingCommand(_:timeout:)``) and a script call behind it in
    /// the same round trip: the server runs the script the moment the command returns (with what
    /// it moved, or at its timeout), without waiting for the client, so a consumer woken by a new
    /// entry leases it one round trip sooner. The script is run as by ``run(_:keys:arguments:)``
    /// (FCALL or EVALSHA, loading the code where the server lacks it); in a cluster, the command's
    /// key and `keys[0]` must share a slot.
    /// - Returns: the command's reply and the script's reply; error replies as `.error`.
    /// - Throws: ``RedisError`` only for transport failures (and a library that cannot be loaded).
    public func blockingCommand(
        _ command: [RedisArgument], timeout: Duration, then script: RedisScript, keys: [String], arguments: [RedisArgument]
    ) throws -> (command: RedisReply, script: RedisReply) {
        let replies = try state.withLock { state in
            try Self.execute(
                script, [(keys: keys, arguments: arguments)], alongside: [command], readTimeout: timeout + configuration.blockingMargin, &state)
        }
        return (replies.commands[0], replies.calls[0])
    }

    /// Sends all commands in one round trip and returns one reply each, in order; error replies
    /// are returned as ``RedisReply/error(_:)`` values, not thrown. In a cluster the commands are
    /// grouped by node and every node is written to before any is read.
    /// - Throws: ``RedisError`` only for transport failures.
    public func pipeline(_ commands: [[RedisArgument]]) throws -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        return try state.withLock { state in
            try state.router.send(commands.map { RedisRouter.Request($0) }).map(\.reply)
        }
    }

    /// Sends `bookkeeping` and then `commands` in one round trip, as ``pipeline(_:)``, the
    /// bookkeeping best effort: in a cluster, when the node it goes to cannot be reached, its
    /// replies are error replies and the commands still run.
    /// - Returns: one reply per command and one per bookkeeping command; error replies as `.error`.
    /// - Throws: ``RedisError`` only for transport failures of the commands' nodes.
    public func pipeline(
        _ commands: [[RedisArgument]], alongside bookkeeping: [[RedisArgument]]
    ) throws -> (commands: [RedisReply], bookkeeping: [RedisReply]) {
        let requests = bookkeeping.map { RedisRouter.Request($0, bestEffort: true) } + commands.map { RedisRouter.Request($0) }
        guard !requests.isEmpty else { return ([], []) }
        let replies = try state.withLock { state in try state.router.send(requests).map(\.reply) }
        return (Array(replies.dropFirst(bookkeeping.count)), Array(replies.prefix(bookkeeping.count)))
    }

    /// Runs a Lua script: with FCALL when the script has a function form and the server runs
    /// functions (loading its library on a node that does not have it yet, or lost it), else by
    /// its SHA1 (EVALSHA), loading it first when no node has yet, and again on a node that
    /// answers NOSCRIPT (after a restart or SCRIPT FLUSH). In a cluster it goes to the node that
    /// owns `keys[0]`.
    @discardableResult
    public func run(_ script: RedisScript, keys: [String], arguments: [RedisArgument]) throws -> RedisReply {
        try runPipelined(script, calls: [(keys: keys, arguments: arguments)])[0].throwingServerError()
    }

    /// Runs a script several times in one round trip; one reply (possibly `.error`) per call.
    /// Calls that were not executed because the server lacked the script or function are sent
    /// again after loading it.
    public func runPipelined(_ script: RedisScript, calls: [(keys: [String], arguments: [RedisArgument])]) throws -> [RedisReply] {
        guard !calls.isEmpty else { return [] }
        return try runPipelined(script, calls: calls, alongside: []).calls
    }

    /// Runs a script several times and sends `commands` in the same round trip (in a cluster, the
    /// same wall-clock round trip, whichever nodes they go to): for a write that must carry a
    /// small bookkeeping command without paying for a second trip. The commands are best effort:
    /// in a cluster, when the node they go to cannot be reached, their replies are error replies
    /// and the calls still run.
    /// - Returns: one reply per call and one per command, in order; error replies as `.error`.
    /// - Throws: ``RedisError`` only for transport failures (and a library that cannot be loaded).
    public func runPipelined(
        _ script: RedisScript, calls: [(keys: [String], arguments: [RedisArgument])], alongside commands: [[RedisArgument]]
    ) throws -> (calls: [RedisReply], commands: [RedisReply]) {
        try state.withLock { state in try Self.execute(script, calls, alongside: commands, &state) }
    }

    // MARK: - Topology

    /// Whether this connection talks to a Redis Cluster. Opens the connection if needed.
    /// - Throws: ``RedisError`` when it cannot be opened.
    public var isCluster: Bool {
        get throws {
            try state.withLock { state in
                try state.router.connect()
                return state.router.isCluster
            }
        }
    }

    /// The primaries: for a standalone server its endpoint, for a cluster every primary that owns
    /// slots, from a slot map asked for now. With ``command(_:on:)``, for work that must happen
    /// on every node: finding keys with SCAN, checking each node's settings.
    /// - Throws: ``RedisError`` when the connection cannot be opened.
    public func primaries() throws -> [RedisConfiguration.Endpoint] {
        try state.withLock { try $0.router.primaries() }
    }

    /// Sends commands to one node in one round trip, whatever their keys: `node` is one of
    /// ``primaries()``. Redirections are not followed; error replies are returned as `.error`.
    /// - Throws: ``RedisError``: `.unavailable` for a node that is not (or no longer) a primary of
    ///   this connection, a transport code when the node failed.
    public func pipeline(_ commands: [[RedisArgument]], on node: RedisConfiguration.Endpoint) throws -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        return try state.withLock { state in
            try state.router.connect()
            guard node == state.router.seed || state.router.knows(node) else {
                // A failover or a reshard since the caller listed the primaries: ask again.
                throw RedisError(code: .unavailable, message: "\(node.address) is no longer a primary of the Redis at \(configuration)")
            }
            return try state.router.send(commands.map { RedisRouter.Request($0, node: node) }).map(\.reply)
        }
    }

    /// Sends one command to one node, whatever its keys: `node` is one of ``primaries()``.
    /// Redirections are not followed.
    /// - Throws: ``RedisError``: `.unavailable` for a node that is not (or no longer) a primary of
    ///   this connection, `.serverError` for an error reply, a transport code when the node failed.
    @discardableResult
    public func command(_ arguments: [RedisArgument], on node: RedisConfiguration.Endpoint) throws -> RedisReply {
        try pipeline([arguments], on: node)[0].throwingServerError()
    }
}
