/// The address `--listen` names: `HOST:PORT`, `[IPv6]:PORT`, or a bare `PORT` on loopback.
public struct ListenAddress: Sendable, Equatable {
    /// The host or IP address to bind.
    public var host: String
    /// The port; 0 picks a free one.
    public var port: Int

    /// Parses `--listen`.
    /// - Throws: ``WebError`` `.badRequest` with a message naming the expected form.
    public init(_ text: String) throws {
        let bad = WebError(.badRequest, "--listen takes HOST:PORT, [IPv6]:PORT or PORT, e.g. 127.0.0.1:8080 (got '\(text)')")
        var host = "127.0.0.1", portText = Substring(text)
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw bad }
            portText = rest.dropFirst()
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (0...65535).contains(port) else { throw bad }
        self.host = host
        self.port = port
    }

    /// Whether the host is a loopback address, reachable from this machine only.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
