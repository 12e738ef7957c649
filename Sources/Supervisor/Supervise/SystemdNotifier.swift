import Glibc

/// Sends systemd service notifications (`READY=1`, `STATUS=...`, `WATCHDOG=1`) as datagrams to the
/// socket systemd names in `NOTIFY_SOCKET`, without libsystemd. Sending is best effort: a missing
/// or full socket never blocks or stops the supervisor.
public struct SystemdNotifier: Sendable {
    /// The socket: a path, or an abstract name when it starts with `@`.
    public let socket: String

    /// A notifier for `socket`; `nil` when it is `nil`, empty, or too long for a Unix socket address.
    public init?(socket: String?) {
        guard let socket, !socket.isEmpty, socket.utf8.count < Self.maxAddressBytes else { return nil }
        self.socket = socket
    }

    /// Sends one notification, e.g. `READY=1` or `STATUS=sleeping: no waiting jobs`.
    /// - Returns: whether the datagram was sent.
    @discardableResult
    public func send(_ message: String) -> Bool {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socket.utf8)
        let isAbstract = path.first == UInt8(ascii: "@")
        if isAbstract { path[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (isAbstract ? 0 : 1))
        let bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT), socketAddress, length) }
            }
        }
        return sent == bytes.count
    }

    /// How often to send `WATCHDOG=1`: half of `WATCHDOG_USEC`, when it is set and `WATCHDOG_PID`
    /// is unset or names this process.
    /// - Parameters:
    ///   - environment: the process environment.
    ///   - pid: this process's id.
    /// - Returns: the interval, or `nil` when systemd expects no watchdog pings.
    public static func watchdogInterval(environment: [String: String], pid: Int32 = getpid()) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = Int64(text), microseconds > 0 else { return nil }
        if let owner = environment["WATCHDOG_PID"], !owner.isEmpty, owner != String(pid) { return nil }
        return .microseconds(microseconds / 2)
    }

    /// `sun_path` holds 108 bytes, including the terminating NUL of a path.
    private static let maxAddressBytes = MemoryLayout.size(ofValue: sockaddr_un().sun_path)
}

/// Sends `WATCHDOG=1` from the supervisor's loop whenever the interval has passed, so a hung loop
/// stops the pings and systemd restarts the service.
struct WatchdogPinger {
    let notifier: SystemdNotifier?
    let interval: Duration?
    private var next = ContinuousClock.now

    init(notifier: SystemdNotifier?, interval: Duration?) {
        self.notifier = notifier
        self.interval = notifier == nil ? nil : interval
    }

    /// Sends a ping if one is due.
    mutating func pingIfDue() {
        guard let interval, let notifier, ContinuousClock.now >= next else { return }
        notifier.send("WATCHDOG=1")
        next = ContinuousClock.now + interval
    }

    /// `duration`, shortened so that the loop wakes in time for the next ping.
    func capped(_ duration: Duration) -> Duration {
        guard interval != nil else { return duration }
        return min(duration, max(.zero, next - ContinuousClock.now))
    }
}
