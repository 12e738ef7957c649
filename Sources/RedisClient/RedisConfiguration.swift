import Foundation

/// Where and how to connect to Redis.
///
/// Build one from a URL with ``init(url:)`` or from the command line and environment with
/// ``resolve(explicitURL:environment:)``. The password is never part of ``description``.
public struct RedisConfiguration: Sendable, CustomStringConvertible {
    /// A TCP address or a Unix socket path.
    public enum Endpoint: Sendable, Hashable {
        /// `redis://host:port`.
        case tcp(host: String, port: Int)
        /// `unix:///path/to.sock`.
        case unix(path: String)
    }

    /// Where a password was read from.
    public enum PasswordSource: Sendable, Equatable {
        /// The URL (`redis://user:password@host`).
        case url
        /// An environment variable, by name (`JOBQ_REDIS_PASSWORD`).
        case environment(String)
        /// A file, by path (`JOBQ_REDIS_PASSWORD_FILE`, the systemd credential).
        case file(String)
    }

    /// The server address. Default: `127.0.0.1:6379`. Not used when ``sentinel`` is set.
    public var endpoint: Endpoint = .tcp(host: "127.0.0.1", port: 6379)
    /// The sentinels that name the master to connect to (`redis+sentinel://`); `nil` (the
    /// default) connects to ``endpoint``.
    public var sentinel: Sentinel?
    /// The ACL user for `AUTH user password`; `nil` authenticates as the default user.
    public var username: String?
    /// The password for `AUTH`; `nil` sends no AUTH. Never printed.
    public var password: String?
    /// Where ``password`` was read from, so that a printed command can point at it instead of
    /// showing it; `nil` when it was set by code.
    public var passwordSource: PasswordSource?
    /// The database selected after connecting. Default: 0.
    public var database: Int = 0
    /// How long opening the connection may take. Default: 5 s.
    public var connectTimeout: Duration = .seconds(5)
    /// Read and write timeout for ordinary commands. Default: 10 s.
    public var commandTimeout: Duration = .seconds(10)
    /// Added to a blocking command's own timeout to get the socket read timeout for that command,
    /// so that a reply the server sends at the last moment is still read. Default: 5 s.
    public var blockingMargin: Duration = .seconds(5)
    /// Whether TCP keepalive is enabled on the socket. Default: true.
    public var keepAlive: Bool = true
    /// Sent with `CLIENT SETNAME` so `CLIENT LIST` shows who is connected; `nil` sends nothing.
    public var clientName: String?
    /// What a connection does when the server may evict keys (`maxmemory-policy` other than
    /// `noeviction`): checked when it opens and every ``evictionRecheckInterval`` after (see
    /// ``RedisConnection/recheckEvictionPolicyIfDue()``). Default: `.refuse`, unless
    /// ``resolve(explicitURL:environment:)`` finds `JOBQ_ALLOW_EVICTION=1` (then `.warn`).
    public var evictionCheck: EvictionCheck = .refuse
    /// How long a connection trusts its last eviction-policy check. Default: 5 minutes.
    public var evictionRecheckInterval: Duration = .seconds(300)

    /// The default configuration: `redis://127.0.0.1:6379/0`.
    public init() {}

    /// The URL used when neither `--redis`, `JOBQ_REDIS_URL` nor `REDIS_URL` is set.
    public static let defaultURL = "redis://127.0.0.1:6379/0"

    /// Parses `redis://[user[:password]@]host[:port][/db]`, `unix:///path/to.sock[?db=N]` or
    /// `redis+sentinel://[user[:password]@]host[:port][,host[:port]…]/MASTER_NAME[/db]`.
    ///
    /// User and password may be percent-encoded. IPv6 hosts are written in brackets. In a
    /// Sentinel URL the user and password are the data nodes'; a sentinel's port defaults to 26379;
    /// the sentinels' own password comes from the environment (``resolve(explicitURL:environment:)``)
    /// or, as ``urlWithSecret`` writes it, from a `sentinel_password` query parameter.
    /// - Throws: ``RedisError`` with code `.invalidConfiguration` naming what is wrong
    ///   (the message never repeats the password).
    public init(url: String) throws {
        self.init()
        if url.lowercased().hasPrefix("redis+sentinel://") {
            self = try Self.sentinelURL(url)
            return
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw RedisError(code: .invalidConfiguration, message: "not a Redis URL: expected redis://host:port/db or unix:///path.sock")
        }
        switch scheme {
        case "redis":
            let host = Self.writtenHost(of: url).flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
            let port = components.port ?? 6379
            guard (1...65535).contains(port) else {
                throw RedisError(code: .invalidConfiguration, message: "Redis port \(port) is out of range 1-65535")
            }
            endpoint = .tcp(host: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: port)
            let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            if !path.isEmpty { database = try Self.parseDatabase(path) }
        case "unix":
            guard !components.path.isEmpty else {
                throw RedisError(code: .invalidConfiguration, message: "unix:// URL needs a socket path, as in unix:///run/redis/redis.sock")
            }
            endpoint = .unix(path: components.path)
            if let db = components.queryItems?.first(where: { $0.name == "db" })?.value {
                database = try Self.parseDatabase(db)
            }
        case "rediss":
            throw RedisError(code: .invalidConfiguration, message: "rediss:// (TLS) is not supported by the hiredis version jobq uses; connect over a local socket or a TLS tunnel")
        default:
            throw RedisError(code: .invalidConfiguration, message: "unsupported URL scheme '\(scheme)': use redis://, unix:// or redis+sentinel://")
        }
        if let user = components.percentEncodedUser, !user.isEmpty {
            username = user.removingPercentEncoding ?? user
        }
        if let secret = components.percentEncodedPassword, !secret.isEmpty {
            password = secret.removingPercentEncoding ?? secret
            passwordSource = .url
        }
        // "redis://:secret@host" means the default user with a password.
        if username == "" { username = nil }
    }

    /// Resolves the configuration the way every jobq command does.
    ///
    /// The URL comes from `explicitURL` (`--redis`), else `JOBQ_REDIS_URL`, else `REDIS_URL`, else
    /// ``defaultURL``. When the URL has no password, one is read from `JOBQ_REDIS_PASSWORD`, else
    /// from the file named by `JOBQ_REDIS_PASSWORD_FILE`, else from the systemd credential
    /// ``systemdCredentialName`` (`LoadCredential=` or `SetCredential=`, found through
    /// `CREDENTIALS_DIRECTORY`); a trailing newline is removed. The sentinels of a
    /// `redis+sentinel://` URL get their password the same way from `JOBQ_SENTINEL_PASSWORD`,
    /// `JOBQ_SENTINEL_PASSWORD_FILE` or the credential ``sentinelCredentialName``.
    /// `JOBQ_ALLOW_EVICTION=1` turns the eviction check from `.refuse` into `.warn`
    /// (``EvictionCheck/allowedByEnvironment(_:)``).
    /// - Throws: ``RedisError`` `.invalidConfiguration` for a bad URL or an unreadable password file.
    public static func resolve(explicitURL: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> RedisConfiguration {
        let url = explicitURL ?? environment["JOBQ_REDIS_URL"] ?? environment["REDIS_URL"] ?? defaultURL
        var configuration = try RedisConfiguration(url: url)
        try configuration.resolveSentinelPassword(environment: environment)
        if EvictionCheck.allowedByEnvironment(environment) { configuration.evictionCheck = .warn }
        guard configuration.password == nil else { return configuration }
        if let secret = environment["JOBQ_REDIS_PASSWORD"], !secret.isEmpty {
            configuration.password = secret
            configuration.passwordSource = .environment("JOBQ_REDIS_PASSWORD")
        } else if let file = environment["JOBQ_REDIS_PASSWORD_FILE"], !file.isEmpty {
            configuration.password = try readPassword(file, from: "the file named by JOBQ_REDIS_PASSWORD_FILE")
            configuration.passwordSource = .file(file)
        } else if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty,
                  FileManager.default.fileExists(atPath: "\(directory)/\(systemdCredentialName)") {
            let file = "\(directory)/\(systemdCredentialName)"
            configuration.password = try readPassword(file, from: "the systemd credential \(systemdCredentialName)")
            configuration.passwordSource = .file(file)
        }
        return configuration
    }

    /// The name of the systemd credential that holds the password:
    /// `LoadCredential=redis-password:/etc/jobq/redis-password`.
    public static let systemdCredentialName = "redis-password"

    /// Every environment variable ``resolve(explicitURL:environment:)`` reads a credential from, or
    /// that leads to one: none of them is handed to a job's process unless asked for.
    public static let credentialVariables: Set<String> = [
        "JOBQ_REDIS_URL", "REDIS_URL", "JOBQ_REDIS_PASSWORD", "JOBQ_REDIS_PASSWORD_FILE", "CREDENTIALS_DIRECTORY", "REDISCLI_AUTH",
        sentinelPasswordVariable, sentinelPasswordFileVariable,
    ]

    /// A one-line warning when a URL given on the command line carries a password, which every
    /// user of the machine can read with `ps`; `nil` otherwise.
    public static func commandLinePasswordWarning(explicitURL: String?) -> String? {
        guard let explicitURL, let configuration = try? RedisConfiguration(url: explicitURL),
              configuration.password != nil || configuration.sentinel?.password != nil
        else { return nil }
        if configuration.password == nil {
            return "warning: a sentinel password in --redis is visible to every user of this machine (ps); "
                + "use JOBQ_SENTINEL_PASSWORD_FILE or the systemd credential \(sentinelCredentialName) instead"
        }
        return "warning: a password in --redis is visible to every user of this machine (ps); "
            + "use JOBQ_REDIS_PASSWORD_FILE or the systemd credential \(systemdCredentialName) instead"
    }

    static func readPassword(_ path: String, from source: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RedisError(code: .invalidConfiguration, message: "cannot read the Redis password from \(source) (\(path))")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
    }

    /// The URL with the password replaced by `***`, for logs and error messages.
    public var description: String { url(showingSecret: false) }

    /// The URL that reconnects to the same server, password included, for handing to a child
    /// process through its environment (never its argv).
    public var urlWithSecret: String { url(showingSecret: true) }

    private func url(showingSecret: Bool) -> String {
        let allowed = CharacterSet.urlUserAllowed.subtracting(CharacterSet(charactersIn: ":@"))
        var auth = ""
        if let username { auth = showingSecret ? username.addingPercentEncoding(withAllowedCharacters: allowed) ?? username : username }
        if let password { auth += ":" + (showingSecret ? password.addingPercentEncoding(withAllowedCharacters: allowed) ?? password : "***") }
        if !auth.isEmpty { auth += "@" }
        if let sentinel { return sentinelURL(sentinel, auth: auth, showingSecret: showingSecret) }
        switch endpoint {
        case .tcp(let host, let port):
            let shownHost = host.contains(":") ? "[\(host)]" : host
            return "redis://\(auth)\(shownHost):\(port)/\(database)"
        case .unix(let path):
            return "unix://\(auth)\(path)?db=\(database)"
        }
    }

    /// The host of a `redis://` URL as written (percent-decoded, an IPv6 address still in brackets).
    ///
    /// Not `URLComponents.host`: that runs every name through IDNA, which loads ICU's normalization
    /// code and data into the process (over 1 MiB resident in every worker and supervisor) for a
    /// name the resolver takes as it is.
    static func writtenHost(of url: String) -> String? {
        guard let schemeEnd = url.firstRange(of: "://") else { return nil }
        let rest = url[schemeEnd.upperBound...]
        var authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let host: Substring
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = authority[...close]
        } else {
            host = authority.prefix { $0 != ":" }
        }
        return String(host).removingPercentEncoding ?? String(host)
    }

    static func parseDatabase(_ text: String) throws -> Int {
        guard let db = Int(text), db >= 0 else {
            throw RedisError(code: .invalidConfiguration, message: "Redis database '\(text)' is not a number 0 or more")
        }
        return db
    }
}
