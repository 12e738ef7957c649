import HumanUnits

/// Whether the host has room to start a job now.
public enum AdmissionDecision: Sendable, Equatable {
    /// Start work.
    case admit
    /// Wait and check again; each reason names a figure and the limit it crossed.
    case `defer`(reasons: [String])
}

/// Decides whether the supervisor may start work, from load, CPU pressure and available memory.
///
/// Run it on a `HostSnapshot` taken with `HostSnapshot.Parts.admission`, which reads three or four
/// small files and no processes, so it is cheap enough to run every few seconds. A figure the
/// snapshot lacks (no PSI on this kernel, unreadable file) imposes no limit.
public struct HostAdmission: Sendable {
    /// The limits above which work is deferred.
    public struct Configuration: Sendable {
        /// Highest 1-minute load average per CPU at which work may start. Default 1.5.
        public var maxLoadPerCPU: Double
        /// Highest CPU pressure (`some avg10`, percent of time some task waited for a CPU) at which
        /// work may start, where the kernel has PSI. Default 40.
        public var maxCPUPressureAvg10: Double
        /// Least available memory (`MemAvailable`) in bytes with which work may start. Default 200 MiB.
        public var minAvailableMemory: UInt64

        /// Creates limits; every field has a default.
        public init(
            maxLoadPerCPU: Double = 1.5,
            maxCPUPressureAvg10: Double = 40,
            minAvailableMemory: UInt64 = 200 * 1024 * 1024
        ) {
            self.maxLoadPerCPU = maxLoadPerCPU
            self.maxCPUPressureAvg10 = maxCPUPressureAvg10
            self.minAvailableMemory = minAvailableMemory
        }
    }

    /// The limits in force.
    public let configuration: Configuration

    /// Creates an admission check.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Checks the snapshot against every limit and lists each one that is crossed.
    ///
    /// - Parameter snapshot: a snapshot with at least `.admission` parts. An unknown CPU count counts as 1.
    /// - Returns: `.admit`, or `.defer` with one reason per crossed limit, naming the figure, the
    ///   `jobq supervise` option that sets the limit and its value, as in
    ///   `load 3.20 per CPU is above --max-load 1.5 (1-minute load 6.40 on 2 CPUs)`.
    public func check(_ snapshot: HostSnapshot) -> AdmissionDecision {
        var reasons: [String] = []
        if let load = snapshot.load {
            let cpus = max(snapshot.cpuCount ?? 1, 1)
            let perCPU = load.oneMinute / Double(cpus)
            if perCPU > configuration.maxLoadPerCPU {
                reasons.append(
                    "load \(perCPU.fixed(2)) per CPU is above --max-load \(Self.flagValue(configuration.maxLoadPerCPU))"
                    + " (1-minute load \(load.oneMinute.fixed(2)) on \(cpus) CPU\(cpus == 1 ? "" : "s"))"
                )
            }
        }
        if let cpuPressure = snapshot.pressure?.cpu?.some.avg10,
           cpuPressure > configuration.maxCPUPressureAvg10 {
            reasons.append(
                "CPU pressure \(cpuPressure.fixed(1)) % is above --max-cpu-pressure \(Self.flagValue(configuration.maxCPUPressureAvg10))"
                + " (share of the last 10 s in which some task waited for a CPU)"
            )
        }
        if let memory = snapshot.memory, memory.availableBytes < configuration.minAvailableMemory {
            reasons.append(
                "available memory \(ByteSizeText.readable(memory.availableBytes)) is below"
                + " --min-available \(ByteSizeText.format(configuration.minAvailableMemory))"
            )
        }
        return reasons.isEmpty ? .admit : .defer(reasons: reasons)
    }

    /// A limit as it is written after its option: `1.5`, `40`.
    private static func flagValue(_ value: Double) -> String {
        let text = "\(value)"
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}
