import Foundation
import Synchronization

extension RedisConfiguration {
    /// What a connection does when the server may evict keys: its `maxmemory-policy` is anything
    /// but `noeviction`, so a full server deletes keys (jobs among them) without telling anyone.
    public enum EvictionCheck: Sendable, Equatable {
        /// Refuse to run: opening the connection throws ``RedisError`` `.evictionPolicy`, whose
        /// message names the fix (`CONFIG SET maxmemory-policy noeviction`). The default.
        case refuse
        /// Run, with a one-line warning on stderr (once per process and server).
        case warn
        /// Do not check (for read-only tools that report the policy themselves).
        case ignore

        /// The environment variable that allows eviction for every jobq process that reads its
        /// configuration with ``RedisConfiguration/resolve(explicitURL:environment:)``.
        public static let environmentVariable = "JOBQ_ALLOW_EVICTION"

        /// The exit status of a jobq process that refused to run on an evicting server: 78
        /// (`EX_CONFIG`, "configuration error"). A systemd unit lists it in
        /// `RestartPreventExitStatus=`; a supervisor does not relaunch a worker that exits with it.
        public static let refusalExitStatus: Int32 = 78

        /// Whether the environment allows eviction: `JOBQ_ALLOW_EVICTION` is `1`, `true` or `yes`.
        public static func allowedByEnvironment(_ environment: [String: String]) -> Bool {
            guard let value = environment[environmentVariable]?.lowercased() else { return false }
            return ["1", "true", "yes"].contains(value)
        }
    }
}

/// Checks a server's `maxmemory-policy` for a ``RedisConnection``: once when a connection opens
/// (pipelined with its AUTH, SELECT and CLIENT SETNAME, so it costs no round trip), and again when
/// ``RedisConnection/recheckEvictionPolicyIfDue()`` finds the last check older than
/// ``RedisConfiguration/evictionRecheckInterval``.
///
/// The policy is read from `INFO memory` (`maxmemory_policy`), else from
/// `CONFIG GET maxmemory-policy`, whichever the ACL allows. When neither is allowed the policy is
/// unknown: the connection runs, with a warning that names the ACL rules to grant (refusing would
/// lock out a deliberately restricted user, and `jobq diagnose` reports it too).
final class EvictionGuard: Sendable {
    /// When the policy was last read on this connection.
    private let checkedAt = Mutex<ContinuousClock.Instant?>(nil)

    /// The command that reads the policy along with the connection's setup.
    static let probe: [RedisArgument] = ["INFO", "memory"]

    /// Sends `setup`, then `trailing`, and unless the check is `.ignore`, the probe, in one round
    /// trip on a newly opened context; checks the policy and returns the replies of `setup` and of
    /// `trailing`. When a setup command failed (the credentials were refused) the replies are
    /// returned unchecked, for the caller to report.
    /// - Throws: ``RedisError`` `.evictionPolicy` when the server evicts and the check is `.refuse`;
    ///   transport errors.
    func pipeline(
        _ setup: [[RedisArgument]], then trailing: [[RedisArgument]], on context: RedisContext, _ configuration: RedisConfiguration
    ) throws -> (setup: [RedisReply], trailing: [RedisReply]) {
        let checking = configuration.evictionCheck != .ignore
        let replies = try context.pipeline(setup + trailing + (checking ? [Self.probe] : []))
        let setupReplies = Array(replies.prefix(setup.count))
        let trailingReplies = Array(replies.dropFirst(setup.count).prefix(trailing.count))
        let failed = setupReplies.contains { if case .error = $0 { return true } else { return false } }
        if checking, !failed, let probed = replies.last {
            try check(probed, configuration) { try context.command($0) }
        }
        return (setupReplies, trailingReplies)
    }

    /// Whether the last check is older than the configured interval (or there was none).
    func isDue(_ configuration: RedisConfiguration) -> Bool {
        guard configuration.evictionCheck != .ignore else { return false }
        return checkedAt.withLock { at in at.map { ContinuousClock.now - $0 >= configuration.evictionRecheckInterval } ?? true }
    }

    /// Reads the policy from the probe's reply (or, when `INFO` was refused, from
    /// `CONFIG GET maxmemory-policy` sent through `send`) and acts on it.
    func check(_ probed: RedisReply, _ configuration: RedisConfiguration, send: ([RedisArgument]) throws -> RedisReply) throws {
        let reading = try Self.read(probed, send: send)
        checkedAt.withLock { $0 = ContinuousClock.now }
        switch reading {
        case .policy(let policy) where policy == "noeviction":
            return
        case .policy(let policy):
            if configuration.evictionCheck == .refuse {
                throw RedisError(code: .evictionPolicy, message: Self.refusal(policy, configuration))
            }
            Self.warnOnce(configuration, "warning: Redis at \(configuration) has maxmemory-policy \(policy): when it is full it deletes keys "
                + "and jobs are lost without a trace; running anyway, as allowed; the fix: CONFIG SET maxmemory-policy noeviction")
        case .unknown(let why):
            Self.warnOnce(configuration, "warning: cannot check whether Redis at \(configuration) evicts keys (\(why)); "
                + "grant the user +info (or +config|get), and make sure redis.conf says maxmemory-policy noeviction")
        }
    }

    /// The one line a refusal says: what is wrong, the fix, and how to run anyway.
    static func refusal(_ policy: String, _ configuration: RedisConfiguration) -> String {
        "Redis at \(configuration) has maxmemory-policy \(policy): when it is full it deletes keys and jobs are lost without a trace; "
            + "refusing to run. Fix: redis-cli CONFIG SET maxmemory-policy noeviction (and CONFIG REWRITE); "
            + "or accept the loss with --allow-eviction or \(RedisConfiguration.EvictionCheck.environmentVariable)=1"
    }

    /// What the server said about its policy.
    enum Reading: Equatable {
        /// The policy, as Redis names it (`noeviction`, `allkeys-lru` ...).
        case policy(String)
        /// Neither INFO nor CONFIG GET answered; why.
        case unknown(String)
    }

    static func read(_ probed: RedisReply, send: ([RedisArgument]) throws -> RedisReply) throws -> Reading {
        // A server that wants a password says so to every command: say it now, as the next one would.
        if case .error(let text) = probed, RedisError.server(text).code == .authenticationFailed { throw RedisError.server(text) }
        if let text = probed.string, let policy = RedisInfo.fields(text)["maxmemory_policy"] { return .policy(policy) }
        let answer = try send(["CONFIG", "GET", "maxmemory-policy"])
        if let pair = answer.array, pair.count == 2, let policy = pair[1].string { return .policy(policy) }
        return .unknown("INFO: \(errorText(probed)); CONFIG GET: \(errorText(answer))")
    }

    private static func errorText(_ reply: RedisReply) -> String {
        if case .error(let text) = reply { return text }
        return "no maxmemory-policy in \(reply.debugSummary)"
    }

    /// Servers this process has already warned about, so a warning is printed once.
    private static let warned = Mutex<Set<String>>([])

    private static func warnOnce(_ configuration: RedisConfiguration, _ line: String) {
        let first = warned.withLock { $0.insert(configuration.description + "\n" + line).inserted }
        if first { FileHandle.standardError.write(Data("jobq: \(line)\n".utf8)) }
    }
}

extension RedisConnection {
    /// Checks the server's eviction policy (every primary's, on a Redis Cluster) again when the last check is older than
    /// ``RedisConfiguration/evictionRecheckInterval`` (the check made when the connection opened
    /// counts); cheap otherwise. Long-running loops (the worker, the supervisor) call it on every
    /// turn, so a policy changed at run time is caught within the interval.
    /// - Throws: ``RedisError`` `.evictionPolicy` when the server now evicts and the check is
    ///   `.refuse`; transport errors.
    public func recheckEvictionPolicyIfDue() throws {
        guard evictionGuard.isDue(configuration) else { return }
        try checkEvictionPolicy()
    }

    /// Checks the server's eviction policy (every primary's, on a Redis Cluster) now, however
    /// recent the last check: for a caller that must know before it decides, such as a supervisor
    /// whose worker exited with ``RedisConfiguration/EvictionCheck/refusalExitStatus``.
    /// - Parameter check: what to do about an evicting server; `nil` does what the connection's
    ///   configuration says (``RedisConfiguration/evictionCheck``).
    /// - Throws: ``RedisError`` `.evictionPolicy` (its message the one line every refusal says)
    ///   when the server evicts and the check is `.refuse`; transport errors.
    public func checkEvictionPolicy(_ check: RedisConfiguration.EvictionCheck? = nil) throws {
        var asked = configuration
        asked.evictionCheck = check ?? configuration.evictionCheck
        guard asked.evictionCheck != .ignore else { return }
        for node in try primaries() {
            let probed = try pipeline([EvictionGuard.probe], on: node)[0]
            try evictionGuard.check(probed, asked) { try pipeline([$0], on: node)[0] }
        }
    }
}
