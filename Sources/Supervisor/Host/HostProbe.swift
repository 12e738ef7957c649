import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the state of a Linux host from `/proc`, `/sys`, `df` and `systemctl` into a `HostSnapshot`.
///
/// All files are read below `Configuration.root` and commands are looked up on
/// `Configuration.searchPath`, so a recorded host (a directory tree plus stand-in commands) can be
/// replayed. Nothing here throws: unreadable or malformed input becomes a note in the snapshot.
///
/// Synchronous and blocking: call it from a dedicated thread, never from async code.
public struct HostProbe: Sendable {
    /// Where and how to look.
    public struct Configuration: Sendable {
        /// The directory that stands for `/`. Default `/`, the live host.
        public var root: String
        /// Colon-separated directories searched for `systemctl` and `df`. Default: this process's `PATH`.
        public var searchPath: String
        /// Paths whose filesystem usage is reported (passed to `df` as given). Default `["/"]`.
        public var diskPaths: [String]
        /// How long `systemctl` or `df` may run before being killed. Default 5 seconds.
        public var commandTimeout: Duration
        /// The kernel clock tick that `/proc/<pid>/stat` times are counted in. Default: `sysconf(_SC_CLK_TCK)`.
        public var clockTicksPerSecond: Double

        /// Creates a configuration; every field has a default.
        public init(
            root: String = "/",
            searchPath: String = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin",
            diskPaths: [String] = ["/"],
            commandTimeout: Duration = .seconds(5),
            clockTicksPerSecond: Double = Double(sysconf(Int32(_SC_CLK_TCK)))
        ) {
            self.root = root
            self.searchPath = searchPath
            self.diskPaths = diskPaths
            self.commandTimeout = commandTimeout
            self.clockTicksPerSecond = clockTicksPerSecond
        }
    }

    /// Where and how this probe looks.
    public let configuration: Configuration
    private let files: HostFileReader
    private let runner: CommandRunner

    /// Creates a probe.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        files = HostFileReader(root: configuration.root)
        runner = CommandRunner(searchPath: configuration.searchPath, timeout: configuration.commandTimeout)
    }

    /// Whether this probe reads the live host rather than a replayed directory.
    public var inspectsLiveHost: Bool { files.resolve("/") == "/" }

    /// Reads the requested parts of the host.
    ///
    /// - Parameter parts: what to read; `.admission` is cheap enough to run every few seconds.
    /// - Returns: the snapshot, with a note for each part that could not be read completely.
    public func snapshot(_ parts: HostSnapshot.Parts = .all) -> HostSnapshot {
        var snapshot = HostSnapshot()
        if parts.contains(.load) {
            snapshot.load = parsed("/proc/loadavg", into: &snapshot.notes, LoadAverage.init(procLoadavg:))
        }
        if parts.contains(.cpus) {
            snapshot.cpuCount = cpuCount(notes: &snapshot.notes)
        }
        if parts.contains(.memory) {
            snapshot.memory = parsed("/proc/meminfo", into: &snapshot.notes, MemoryInfo.init(procMeminfo:))
        }
        if parts.contains(.pressure) {
            snapshot.pressure = pressure(notes: &snapshot.notes)
        }
        if parts.contains(.processes) {
            snapshot.uptimeSeconds = uptime(notes: &snapshot.notes)
            snapshot.processes = ProcessScanner(files: files, clockTicksPerSecond: configuration.clockTicksPerSecond)
                .scan(uptimeSeconds: snapshot.uptimeSeconds, notes: &snapshot.notes)
            if inspectsLiveHost { snapshot.observerPID = getpid() }
        }
        if parts.contains(.disks) {
            snapshot.disks = diskUsage(notes: &snapshot.notes)
        }
        if parts.contains(.systemd) {
            snapshot.systemd = SystemdInspector(runner: runner).inspect(notes: &snapshot.notes)
        }
        return snapshot
    }

    /// Reads `path` and parses it, noting a read failure or a parse failure.
    private func parsed<Value>(
        _ path: String, into notes: inout [String], _ parse: (String) -> Value?
    ) -> Value? {
        do {
            let text = try files.text(path)
            guard let value = parse(text) else {
                notes.append("\(path) could not be parsed; its figures are missing")
                return nil
            }
            return value
        } catch {
            notes.append("\(error.description); its figures are missing")
            return nil
        }
    }

    /// Online CPUs from `/sys`, falling back to `/proc/cpuinfo` and then `/proc/stat`.
    private func cpuCount(notes: inout [String]) -> Int? {
        let sources: [(String, (String) -> Int?)] = [
            ("/sys/devices/system/cpu/online", CPUCount.parse(cpuList:)),
            ("/proc/cpuinfo", CPUCount.parse(cpuinfo:)),
            ("/proc/stat", CPUCount.parse(procStat:)),
        ]
        for (path, parse) in sources {
            if let text = try? files.text(path), let count = parse(text) { return count }
        }
        notes.append("The CPU count could not be read from /sys/devices/system/cpu/online, /proc/cpuinfo or /proc/stat")
        return nil
    }

    /// PSI for cpu, memory and io; nil when the kernel has no PSI (directory absent or reads refused).
    private func pressure(notes: inout [String]) -> HostPressure? {
        guard files.exists("/proc/pressure") else {
            notes.append("The kernel has no pressure stall information (/proc/pressure is absent)")
            return nil
        }
        var stalls: [PressureStall?] = []
        var unsupported = 0
        for resource in ["cpu", "memory", "io"] {
            let path = "/proc/pressure/\(resource)"
            do {
                let text = try files.text(path)
                let stall = PressureStall(procPressure: text)
                if stall == nil { notes.append("\(path) could not be parsed") }
                stalls.append(stall)
            } catch {
                if error.code == .unsupported { unsupported += 1 } else { notes.append(error.description) }
                stalls.append(nil)
            }
        }
        if unsupported == stalls.count {
            notes.append("The kernel has pressure stall information disabled (boot with psi=1 to enable it)")
            return nil
        }
        return HostPressure(cpu: stalls[0], memory: stalls[1], io: stalls[2])
    }

    /// Seconds since boot from `/proc/uptime`, else from the `btime` line of `/proc/stat` and the clock.
    private func uptime(notes: inout [String]) -> Double? {
        if let text = try? files.text("/proc/uptime"),
           let first = text.split(whereSeparator: \.isWhitespace).first, let seconds = Double(first) {
            return seconds
        }
        if let text = try? files.text("/proc/stat"),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
           let bootTime = Double(line.dropFirst("btime ".count).trimmingWhitespace) {
            return Date().timeIntervalSince1970 - bootTime
        }
        notes.append("Neither /proc/uptime nor the btime line of /proc/stat could be read; process CPU use is unknown")
        return nil
    }

    /// Runs `df -P -B1 <path>` once per configured path, so one bad path cannot hide the others.
    private func diskUsage(notes: inout [String]) -> [DiskUsage] {
        guard !configuration.diskPaths.isEmpty else { return [] }
        guard let df = runner.locate("df") else {
            notes.append("df was not found on PATH; disk usage is missing")
            return []
        }
        var disks: [DiskUsage] = []
        for path in configuration.diskPaths {
            do {
                let output = try runner.run(df, ["-P", "-B1", path])
                guard output.status == 0 else {
                    let reason = output.standardError.split(separator: "\n").first.map(String.init)
                    notes.append("df \(path) failed: \(reason ?? "exit status \(output.status)")")
                    continue
                }
                guard let usage = DiskUsage(path: path, dfOutput: output.standardOutput) else {
                    notes.append("df \(path) printed output that could not be parsed")
                    continue
                }
                disks.append(usage)
            } catch {
                notes.append("df \(path) failed: \(error.description)")
            }
        }
        return disks
    }
}
