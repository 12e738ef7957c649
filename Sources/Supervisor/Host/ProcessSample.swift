import RedisClient

/// One process as seen in `/proc/<pid>`, with CPU and memory use computed the way `ps` does.
public struct ProcessSample: Sendable, Equatable {
    /// Process id.
    public var pid: Int32
    /// Parent process id.
    public var parentPID: Int32
    /// The kernel's short command name (`comm`, at most 15 characters).
    public var name: String
    /// The scheduler state letter: `R` running, `S` sleeping, `D` uninterruptible, `Z` zombie, ...
    public var state: Character
    /// The argument vector from `/proc/<pid>/cmdline`, credentials masked; empty for kernel
    /// threads and zombies.
    public var arguments: [String]
    /// Resident memory (`VmRSS`); 0 for kernel threads.
    public var residentBytes: UInt64
    /// User plus system CPU time consumed since the process started, in seconds.
    public var cpuSeconds: Double
    /// Wall time since the process started, in seconds.
    public var runningSeconds: Double
    /// The systemd unit whose cgroup holds the process (`nginx.service`, `session-3.scope`), if any.
    public var systemdUnit: String?

    /// Creates a process record.
    public init(
        pid: Int32, parentPID: Int32, name: String, state: Character, arguments: [String],
        residentBytes: UInt64, cpuSeconds: Double, runningSeconds: Double, systemdUnit: String?
    ) {
        self.pid = pid
        self.parentPID = parentPID
        self.name = name
        self.state = state
        self.arguments = arguments
        self.residentBytes = residentBytes
        self.cpuSeconds = cpuSeconds
        self.runningSeconds = runningSeconds
        self.systemdUnit = systemdUnit
    }

    /// Average CPU use over the process's life, in percent of one CPU (as `ps` reports `%CPU`).
    public var cpuPercent: Double {
        runningSeconds > 0 ? cpuSeconds / runningSeconds * 100 : 0
    }

    /// The command line as `ps` shows it: arguments joined by spaces, or `[name]` for kernel threads.
    public var commandLine: String {
        arguments.isEmpty ? "[\(name)]" : arguments.joined(separator: " ")
    }

    /// Whether this is a kernel thread or a zombie, which have no command line.
    public var hasNoCommandLine: Bool { arguments.isEmpty }

    /// Whether a systemd service (not a login session or other scope) runs the process.
    public var isInSystemdService: Bool { systemdUnit?.hasSuffix(".service") == true }
}

/// The fields of `/proc/<pid>/stat` that a process sample needs.
struct ProcStatFields: Equatable {
    var name: String
    var state: Character
    var parentPID: Int32
    /// User plus system time, in clock ticks.
    var cpuTicks: UInt64
    /// Start time after boot, in clock ticks.
    var startTicks: UInt64

    /// Parses a stat line; the command name sits in parentheses and may itself contain spaces and `)`.
    init?(procStat text: String) {
        guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"), open < close else {
            return nil
        }
        let rest = text[text.index(after: close)...].split(separator: " ")
        // Field numbers in proc(5) are 1-based and count pid and comm: state is field 3, so rest[n - 3].
        guard rest.count >= 20, let state = rest[0].first, rest[0].count == 1,
              let parentPID = Int32(rest[1]),
              let userTicks = UInt64(rest[11]), let systemTicks = UInt64(rest[12]),
              let startTicks = UInt64(rest[19])
        else { return nil }
        self.name = String(text[text.index(after: open)..<close])
        self.state = state
        self.parentPID = parentPID
        self.cpuTicks = userTicks + systemTicks
        self.startTicks = startTicks
    }
}

/// Small parsers for the other per-process files.
enum ProcFiles {
    /// Splits `/proc/<pid>/cmdline` at its NUL separators, credentials masked
    /// (``SecretRedaction``): another process's password never reaches what jobq prints.
    static func arguments(cmdline bytes: [UInt8]) -> [String] {
        var trimmed = bytes[...]
        while trimmed.last == 0 { trimmed = trimmed.dropLast() }
        guard !trimmed.isEmpty else { return [] }
        return SecretRedaction.redact(arguments: trimmed.split(separator: 0, omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self)
        })
    }

    /// The `VmRSS` line of `/proc/<pid>/status`, in bytes; nil when absent (kernel threads).
    static func residentBytes(status text: String) -> UInt64? {
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let fields = line.dropFirst("VmRSS:".count).split(whereSeparator: \.isWhitespace)
            guard let first = fields.first, let kibibytes = UInt64(first) else { return nil }
            return kibibytes * 1024
        }
        return nil
    }

    /// The systemd unit named in `/proc/<pid>/cgroup`: the deepest `.service` or `.scope` path
    /// component of the unified (`0::`) line, or of the `name=systemd` line on cgroup v1 hosts.
    static func systemdUnit(cgroup text: String) -> String? {
        var unifiedPath: Substring?
        var systemdPath: Substring?
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if parts[0] == "0" && parts[1].isEmpty { unifiedPath = parts[2] }
            if parts[1] == "name=systemd" { systemdPath = parts[2] }
        }
        for path in [unifiedPath, systemdPath].compactMap({ $0 }) {
            let unit = path.split(separator: "/").last { $0.hasSuffix(".service") || $0.hasSuffix(".scope") }
            if let unit { return String(unit) }
        }
        return nil
    }
}
