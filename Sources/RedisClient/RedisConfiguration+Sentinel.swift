import Foundation

extension RedisConfiguration {
    /// A master found through Redis Sentinel: `redis+sentinel://host:port[,host:port…]/MASTER_NAME[/db]`.
    ///
    /// The connection asks the sentinels, in order, for the master's address
    /// (`SENTINEL get-master-addr-by-name`), checks with `ROLE` that the node it reached is a
    /// master, and asks again after losing the connection, after a reply that says the node cannot
    /// take writes (`READONLY`, `LOADING`, `MASTERDOWN`, `UNBLOCKED`), and every ``checkInterval``
    /// while commands are sent. The data node's user and password are the configuration's
    /// ``RedisConfiguration/username`` and ``RedisConfiguration/password``; the sentinels have a
    /// password of their own (``password``).
    public struct Sentinel: Sendable, Equatable {
        /// One sentinel's TCP address.
        public struct Address: Sendable, Equatable, Hashable, CustomStringConvertible {
            /// Host name or IP address (IPv6 without brackets).
            public var host: String
            /// TCP port. Default: 26379, Sentinel's own.
            public var port: Int

            /// Creates an address.
            public init(host: String, port: Int = 26379) {
                self.host = host
                self.port = port
            }

            /// `host:port`, IPv6 hosts in brackets.
            public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
        }

        /// The sentinels, asked in this order (the one that last answered first).
        public var addresses: [Address]
        /// The name the sentinels monitor the master under (`sentinel monitor NAME …`).
        public var masterName: String
        /// The password for `AUTH` on the sentinels (`requirepass` in sentinel.conf); `nil` sends no
        /// AUTH. Never printed. Not the data nodes' password.
        public var password: String?
        /// Where ``password`` was read from; `nil` when it was set by code.
        public var passwordSource: PasswordSource?
        /// How long connecting to one sentinel, and its answer, may take before the next one is
        /// asked. Default: 1 s.
        public var timeout: Duration = .seconds(1)
        /// How often, at most, a connection in use asks the sentinels whether the master has moved;
        /// checked when a command is sent, so an idle connection asks nothing. This bounds how long
        /// a client may go on writing to a master the sentinels have already replaced. Default: 1 s.
        public var checkInterval: Duration = .seconds(1)

        /// Creates a Sentinel description.
        public init(addresses: [Address], masterName: String) {
            self.addresses = addresses
            self.masterName = masterName
        }
    }

    /// The environment variable that holds the sentinels' password.
    public static let sentinelPasswordVariable = "JOBQ_SENTINEL_PASSWORD"
    /// The environment variable that names a file holding the sentinels' password.
    public static let sentinelPasswordFileVariable = "JOBQ_SENTINEL_PASSWORD_FILE"
    /// The systemd credential that holds the sentinels' password:
    /// `LoadCredential=sentinel-password:/etc/jobq/sentinel-password`.
    public static let sentinelCredentialName = "sentinel-password"
    /// The URL query parameter that carries the sentinels' password in ``urlWithSecret``, so that a
    /// child process given the URL reaches the same sentinels. Masked in ``description``.
    static let sentinelPasswordParameter = "sentinel_password"

    /// Parses `redis+sentinel://[user[:password]@]host[:port][,host[:port]…]/MASTER_NAME[/db][?sentinel_password=…]`.
    static func sentinelURL(_ url: String) throws -> RedisConfiguration {
        func invalid(_ message: String) -> RedisError {
            RedisError(code: .invalidConfiguration, message: message + ": expected redis+sentinel://host:port[,host:port…]/MASTER_NAME[/db]")
        }
        guard let schemeEnd = url.range(of: "://") else { throw invalid("not a Sentinel URL") }
        var rest = Substring(url[schemeEnd.upperBound...])
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count).split(separator: "/", omittingEmptySubsequences: true)
        var configuration = RedisConfiguration()
        var hosts = authority
        if let at = authority.lastIndex(of: "@") {
            hosts = authority[authority.index(after: at)...]
            let userInfo = authority[..<at]
            let user = userInfo.prefix { $0 != ":" }
            if !user.isEmpty { configuration.username = String(user).removingPercentEncoding ?? String(user) }
            if user.count < userInfo.count {
                let secret = String(userInfo.dropFirst(user.count + 1))
                if !secret.isEmpty {
                    configuration.password = secret.removingPercentEncoding ?? secret
                    configuration.passwordSource = .url
                }
            }
        }
        guard !hosts.isEmpty else { throw invalid("a Sentinel URL needs at least one sentinel address") }
        let addresses = try hosts.split(separator: ",", omittingEmptySubsequences: false).map { try sentinelAddress($0) }
        guard let name = path.first.map({ String($0).removingPercentEncoding ?? String($0) }), !name.isEmpty else {
            throw invalid("a Sentinel URL needs the master's name as its path")
        }
        guard path.count <= 2 else { throw invalid("unexpected '\(path.dropFirst(2).joined(separator: "/"))' after the database number") }
        if path.count == 2 { configuration.database = try parseDatabase(String(path[1])) }
        var sentinel = Sentinel(addresses: addresses, masterName: name)
        for item in query.split(separator: "&") {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2, pair[0] == sentinelPasswordParameter else {
                throw invalid("unknown URL parameter '\(pair[0])' (only \(sentinelPasswordParameter) is understood)")
            }
            let secret = String(pair[1]).removingPercentEncoding ?? String(pair[1])
            if !secret.isEmpty {
                sentinel.password = secret
                sentinel.passwordSource = .url
            }
        }
        configuration.sentinel = sentinel
        return configuration
    }

    private static func sentinelAddress(_ text: Substring) throws -> Sentinel.Address {
        var host = text
        var port = 26379
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if after.hasPrefix(":") { port = try sentinelPort(after.dropFirst(), in: text) }
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            port = try sentinelPort(text[text.index(after: colon)...], in: text)
        }
        guard !host.isEmpty else {
            throw RedisError(code: .invalidConfiguration, message: "sentinel address '\(text)' has no host")
        }
        return Sentinel.Address(host: String(host), port: port)
    }

    private static func sentinelPort(_ text: Substring, in address: Substring) throws -> Int {
        guard let port = Int(text), (1...65535).contains(port) else {
            throw RedisError(code: .invalidConfiguration, message: "sentinel address '\(address)': port '\(text)' is not in 1-65535")
        }
        return port
    }

    /// Reads the sentinels' password from the environment when the URL gave none: from
    /// ``sentinelPasswordVariable``, else the file named by ``sentinelPasswordFileVariable``, else
    /// the systemd credential ``sentinelCredentialName``.
    mutating func resolveSentinelPassword(environment: [String: String]) throws {
        guard var sentinel, sentinel.password == nil else { return }
        if let secret = environment[Self.sentinelPasswordVariable], !secret.isEmpty {
            sentinel.password = secret
            sentinel.passwordSource = .environment(Self.sentinelPasswordVariable)
        } else if let file = environment[Self.sentinelPasswordFileVariable], !file.isEmpty {
            sentinel.password = try Self.readPassword(file, from: "the file named by \(Self.sentinelPasswordFileVariable)")
            sentinel.passwordSource = .file(file)
        } else if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty,
                  FileManager.default.fileExists(atPath: "\(directory)/\(Self.sentinelCredentialName)") {
            let file = "\(directory)/\(Self.sentinelCredentialName)"
            sentinel.password = try Self.readPassword(file, from: "the systemd credential \(Self.sentinelCredentialName)")
            sentinel.passwordSource = .file(file)
        }
        self.sentinel = sentinel
    }

    /// The `redis+sentinel://` form of this configuration; the passwords as `***` unless `showingSecret`.
    func sentinelURL(_ sentinel: Sentinel, auth: String, showingSecret: Bool) -> String {
        let hosts = sentinel.addresses.map(\.description).joined(separator: ",")
        let name = sentinel.masterName.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? sentinel.masterName
        var url = "redis+sentinel://\(auth)\(hosts)/\(name)/\(database)"
        if let secret = sentinel.password {
            let allowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+?#"))
            url += "?\(Self.sentinelPasswordParameter)=" + (showingSecret ? secret.addingPercentEncoding(withAllowedCharacters: allowed) ?? secret : "***")
        }
        return url
    }
}
