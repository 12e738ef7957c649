/// Finds the master of a Sentinel group, and notices when the sentinels have moved it.
///
/// Follows the Sentinel client protocol: ask the sentinels in order for the master's address
/// (`SENTINEL get-master-addr-by-name`); the first that answers moves to the front of the list; a
/// node it names is used only if `ROLE` says it is a master (a demoted master that has not yet
/// learnt of the failover, or a stale sentinel, is skipped and the next sentinel asked).
///
/// Not thread-safe: a ``RedisConnection`` keeps one inside its mutex-guarded state and calls it
/// with its lock held.
final class SentinelResolver {
    private let sentinel: RedisConfiguration.Sentinel
    /// The sentinels, the one that answered last first.
    private var order: [RedisConfiguration.Sentinel.Address]
    /// An open connection to `order[0]`, kept for the periodic check.
    private var link: RedisContext?
    /// The master the connection's open context reaches; `nil` while none is open.
    private var master: RedisConfiguration.Sentinel.Address?
    /// When the periodic check may ask next.
    private var nextCheck = ContinuousClock.now
    /// Periodic checks in a row that no sentinel answered; each doubles the wait before the next.
    private var failedChecks = 0

    init(_ sentinel: RedisConfiguration.Sentinel) {
        self.sentinel = sentinel
        order = sentinel.addresses
    }

    /// Opens a context on the current master.
    /// - Parameter open: opens, authenticates and selects the database on a data node.
    /// - Throws: ``RedisError``: `.connectionFailed` when no sentinel answered, `.unavailable` when
    ///   the sentinels answered but no master was reachable and confirmed by `ROLE` (a failover in
    ///   progress: retry), `.invalidConfiguration` when every sentinel that answered knows no master
    ///   of that name, and whatever `open` throws that retrying cannot fix (bad credentials).
    func openMaster(
        _ open: (RedisConfiguration.Endpoint) throws -> RedisContext
    ) throws -> (endpoint: RedisConfiguration.Endpoint, context: RedisContext) {
        master = nil
        var failures: [String] = []
        var answered = 0
        var unknown = 0
        for address in order {
            let named: RedisConfiguration.Sentinel.Address?
            do {
                named = try askMaster(address)
                answered += 1
            } catch let error as RedisError where error.isRetryable {
                failures.append("\(address): \(error.message)")
                continue
            }
            guard let named else {
                unknown += 1
                failures.append("\(address) knows no master named '\(sentinel.masterName)'")
                continue
            }
            do {
                let endpoint = RedisConfiguration.Endpoint.tcp(host: named.host, port: named.port)
                let context = try open(endpoint)
                if let role = try Self.role(of: context), role != "master" {
                    failures.append("\(address) named \(named), which is a \(role)")
                    continue
                }
                promote(address)
                master = named
                failedChecks = 0
                nextCheck = .now + sentinel.checkInterval
                return (endpoint, context)
            } catch let error as RedisError where error.isRetryable {
                failures.append("\(address) named \(named): \(error.message)")
            }
        }
        let group = "the master '\(sentinel.masterName)' through sentinels \(sentinel.addresses.map(\.description).joined(separator: ","))"
        let details = failures.joined(separator: "; ")
        if answered == 0 {
            throw RedisError(code: .connectionFailed, message: "cannot find \(group): no sentinel answered (\(details))")
        }
        if unknown == answered {
            throw RedisError(
                code: .invalidConfiguration,
                message: "cannot find \(group): no sentinel monitors a master of that name (check the name in the URL; SENTINEL MASTERS lists them)")
        }
        throw RedisError(code: .unavailable, message: "cannot find \(group) now, a failover may be in progress: \(details)")
    }

    /// Whether the sentinels now name another master than the one the open context reaches.
    ///
    /// Asks one sentinel at most once per ``RedisConfiguration/Sentinel/checkInterval`` and answers
    /// `false` without asking in between, so a command waits for at most one sentinel's
    /// ``RedisConfiguration/Sentinel/timeout``. A sentinel that does not answer goes to the back of
    /// the list (the next check asks the next one) and the interval doubles, up to 32 times, until
    /// one answers: unreachable sentinels do not slow every command down. Meanwhile the open context
    /// is kept; the data node itself says when it can no longer take writes.
    func masterMoved() -> Bool {
        guard let master, let address = order.first, ContinuousClock.now >= nextCheck else { return false }
        defer { nextCheck = .now + sentinel.checkInterval * (1 << min(failedChecks, 5)) }
        do {
            let named = try askMaster(address)
            failedChecks = 0
            return named.map { $0 != master } ?? false
        } catch {
            failedChecks += 1
            demote(address)
            return false
        }
    }

    /// The master's address as one sentinel names it; `nil` when it knows no master of that name.
    private func askMaster(_ address: RedisConfiguration.Sentinel.Address) throws -> RedisConfiguration.Sentinel.Address? {
        let context = try sentinelContext(address)
        let reply: RedisReply
        do {
            reply = try context.command(["SENTINEL", "get-master-addr-by-name", RedisArgument(sentinel.masterName)])
        } catch {
            link = nil
            throw error
        }
        switch reply {
        case .null:
            return nil
        case .array(let parts) where parts.count == 2:
            guard let host = parts[0].string, let port = parts[1].integer.map(Int.init) else { break }
            return RedisConfiguration.Sentinel.Address(host: host, port: port)
        case .error(let text):
            link = nil
            if text.hasPrefix("NOAUTH") || text.hasPrefix("WRONGPASS") {
                throw RedisError(
                    code: .authenticationFailed,
                    message: "sentinel \(address) refused: \(text) (give the sentinels' password in \(RedisConfiguration.sentinelPasswordVariable) or a file named by \(RedisConfiguration.sentinelPasswordFileVariable))")
            }
            throw RedisError.server(text)
        default:
            break
        }
        link = nil
        throw RedisError.unexpected(reply, expected: "a host and a port from sentinel \(address)")
    }

    /// The kept connection when it reaches `address`, else a new one (authenticated), kept.
    private func sentinelContext(_ address: RedisConfiguration.Sentinel.Address) throws -> RedisContext {
        if let link, order.first == address { return link }
        link = nil
        let context = try RedisContext(endpoint: .tcp(host: address.host, port: address.port), connectTimeout: sentinel.timeout)
        context.setTimeout(sentinel.timeout)
        if let password = sentinel.password, case .error(let text) = try context.command(["AUTH", RedisArgument(password)]) {
            throw RedisError(code: .authenticationFailed, message: "sentinel \(address) refused the sentinel password: \(text)")
        }
        if order.first == address { link = context }
        return context
    }

    /// The role a data node reports (`master`, `slave`); `nil` when it does not say (ROLE denied
    /// by an ACL): the sentinel's word is taken then.
    private static func role(of context: RedisContext) throws -> String? {
        guard case .array(let parts) = try context.command(["ROLE"]), let role = parts.first?.string else { return nil }
        return role
    }

    /// Moves a sentinel that answered to the front, so that it is asked first next time.
    private func promote(_ address: RedisConfiguration.Sentinel.Address) {
        guard order.first != address else { return }
        link = nil
        order.removeAll { $0 == address }
        order.insert(address, at: 0)
    }

    /// Moves a sentinel that did not answer to the back.
    private func demote(_ address: RedisConfiguration.Sentinel.Address) {
        if order.first == address { link = nil }
        order.removeAll { $0 == address }
        order.append(address)
    }
}
