/// The `redis-cli` command line that reaches the server, database and user of a
/// ``RedisConfiguration``: what a fix printed for an operator starts with, so that it acts on the
/// Redis that was checked and not on whatever `redis-cli` reaches by default.
///
/// `redis-cli -h HOST -p PORT [-n DB] [--user USER]`, or `-s SOCKET` for a Unix socket; behind
/// Sentinel, `HOST` and `PORT` are looked up from the first sentinel when the line runs. The
/// password is never part of it: `redis-cli` reads it from `REDISCLI_AUTH`, which the line sets
/// from where jobq read it (`$(cat FILE)`, `$JOBQ_REDIS_PASSWORD`); a password that came in the URL
/// is typed in by ``passwordPrompt`` first.
public struct RedisCLICommand: Sendable, Equatable {
    /// Whom the command runs as.
    public enum Identity: Sendable, Equatable {
        /// The user and password the configuration connects with.
        case configured
        /// No user and no password: for a command the configured user may not run (`ACL SETUSER`),
        /// which an operator runs as an admin user of their own.
        case administrator
    }

    /// `redis-cli` and the options that select the server, database and user.
    public let base: String
    /// What gives `redis-cli` the password, put before ``base``: `REDISCLI_AUTH="$(cat FILE)"`, or
    /// empty when there is no password or it is typed in.
    public let authentication: String
    /// The line to run first when the password came in the URL, where no file or variable holds
    /// it: it reads the password without echo into `REDISCLI_AUTH`; `nil` otherwise.
    public let passwordPrompt: String?

    /// Reads the password without echo into `REDISCLI_AUTH` and exports it: ``passwordPrompt``.
    public static let promptLine = "read -rsp 'Redis password: ' REDISCLI_AUTH && export REDISCLI_AUTH"

    /// The command for `configuration`, as its user or as an administrator.
    public init(_ configuration: RedisConfiguration, as identity: Identity = .configured) {
        var words = ["redis-cli"]
        if let sentinel = configuration.sentinel {
            words += Self.masterLookup(sentinel)
        } else {
            switch configuration.endpoint {
            case .tcp(let host, let port): words += ["-h", Self.shellWord(host), "-p", String(port)]
            case .unix(let path): words += ["-s", Self.shellWord(path)]
            }
        }
        if configuration.database != 0 { words += ["-n", String(configuration.database)] }
        var authentication = ""
        var prompt: String?
        if identity == .configured {
            if let user = configuration.username { words += ["--user", Self.shellWord(user)] }
            if configuration.password != nil {
                switch configuration.passwordSource {
                case .file(let path): authentication = "REDISCLI_AUTH=\"$(cat \(Self.shellWord(path)))\""
                case .environment(let variable): authentication = "REDISCLI_AUTH=\"$\(variable)\""
                case .url, nil: prompt = Self.promptLine
                }
            }
        }
        base = words.joined(separator: " ")
        self.authentication = authentication
        passwordPrompt = prompt
    }

    /// One command line: `redis-cli …` followed by `arguments`, already written as shell words.
    public func line(_ arguments: String) -> String {
        (authentication.isEmpty ? "" : authentication + " ") + base + " " + arguments
    }

    /// The lines of a fix: ``passwordPrompt`` when there is one, then one ``line(_:)`` per command.
    public func lines(_ commands: [String]) -> [String] {
        (passwordPrompt.map { [$0] } ?? []) + commands.map(line)
    }

    /// `-h HOST -p PORT` of the master the first sentinel names at the time the line runs, asked
    /// with `redis-cli SENTINEL get-master-addr-by-name` (given the sentinels' password the same
    /// way as the data node's: from its file or variable).
    private static func masterLookup(_ sentinel: RedisConfiguration.Sentinel) -> [String] {
        guard let first = sentinel.addresses.first else { return [] }
        var auth = ""
        switch sentinel.passwordSource {
        case .file(let path): auth = "REDISCLI_AUTH=\"$(cat \(shellWord(path)))\" "
        case .environment(let variable): auth = "REDISCLI_AUTH=\"$\(variable)\" "
        case .url, nil: break
        }
        let ask = "\(auth)redis-cli -h \(shellWord(first.host)) -p \(first.port) --raw SENTINEL get-master-addr-by-name \(shellWord(sentinel.masterName))"
        return ["-h", "\"$(\(ask) | head -1)\"", "-p", "\"$(\(ask) | tail -1)\""]
    }

    /// `word` as one shell word: as is when it is plain, else single-quoted.
    public static func shellWord(_ word: String) -> String {
        if !word.isEmpty && word.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-@/:,+=".contains($0)) }) { return word }
        return "'" + word.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }
}
