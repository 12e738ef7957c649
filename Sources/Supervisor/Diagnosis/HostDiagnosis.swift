/// Turns a `HostSnapshot` into ranked findings: load, pressure, memory, swap, disk, processes,
/// duplicate workers and systemd units.
///
/// Each rule looks only at the parts of the snapshot it needs and is silent when they are absent.
public struct HostDiagnosis: Sendable {
    /// Thresholds and patterns for the rules; every field has a default.
    public struct Configuration: Sendable {
        /// Load per CPU (highest of the 1, 5 and 15-minute averages) that is a warning. Default 1.
        public var loadWarningPerCPU: Double
        /// Load per CPU that is critical. Default 2.
        public var loadCriticalPerCPU: Double
        /// Pressure (`some avg60`, percent) on CPU, memory or I/O that is a warning. Default 20.
        public var pressureWarningPercent: Double
        /// Pressure (`some avg60`, percent) that is critical. Default 50.
        public var pressureCriticalPercent: Double
        /// Available memory, as a fraction of the total, below which memory is a warning. Default 0.15.
        public var memoryWarningFraction: Double
        /// Available memory fraction below which memory is critical. Default 0.05.
        public var memoryCriticalFraction: Double
        /// Fraction of swap in use that is a warning. Default 0.5.
        public var swapUsedWarningFraction: Double
        /// Fraction of swap in use that is critical. Default 0.9.
        public var swapUsedCriticalFraction: Double
        /// Filesystem use, in percent, that is a warning. Default 75.
        public var diskWarningPercent: Int
        /// Filesystem use, in percent, that is critical. Default 90.
        public var diskCriticalPercent: Int
        /// How many processes to list by CPU and by memory. Default 5.
        public var topProcessCount: Int
        /// Case-insensitive substrings that mark a command as a queue or ingestion worker. Default `["worker"]`.
        public var workerPatterns: [String]
        /// Automatic restarts (`NRestarts`) of one service that are a warning. Default 5.
        public var restartWarningCount: Int
        /// Automatic restarts of one service that are critical. Default 100.
        public var restartCriticalCount: Int

        /// Creates thresholds; every field has a default.
        public init(
            loadWarningPerCPU: Double = 1,
            loadCriticalPerCPU: Double = 2,
            pressureWarningPercent: Double = 20,
            pressureCriticalPercent: Double = 50,
            memoryWarningFraction: Double = 0.15,
            memoryCriticalFraction: Double = 0.05,
            swapUsedWarningFraction: Double = 0.5,
            swapUsedCriticalFraction: Double = 0.9,
            diskWarningPercent: Int = 75,
            diskCriticalPercent: Int = 90,
            topProcessCount: Int = 5,
            workerPatterns: [String] = ["worker"],
            restartWarningCount: Int = 5,
            restartCriticalCount: Int = 100
        ) {
            self.loadWarningPerCPU = loadWarningPerCPU
            self.loadCriticalPerCPU = loadCriticalPerCPU
            self.pressureWarningPercent = pressureWarningPercent
            self.pressureCriticalPercent = pressureCriticalPercent
            self.memoryWarningFraction = memoryWarningFraction
            self.memoryCriticalFraction = memoryCriticalFraction
            self.swapUsedWarningFraction = swapUsedWarningFraction
            self.swapUsedCriticalFraction = swapUsedCriticalFraction
            self.diskWarningPercent = diskWarningPercent
            self.diskCriticalPercent = diskCriticalPercent
            self.topProcessCount = topProcessCount
            self.workerPatterns = workerPatterns
            self.restartWarningCount = restartWarningCount
            self.restartCriticalCount = restartCriticalCount
        }
    }

    /// The thresholds in force.
    public let configuration: Configuration

    /// Creates a diagnosis with the given thresholds.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Applies every rule to the snapshot.
    ///
    /// - Returns: the findings, most urgent first.
    public func findings(for snapshot: HostSnapshot) -> [Finding] {
        report(for: snapshot).findings
    }

    /// Applies every rule and wraps the findings, with the snapshot's notes, in a report that
    /// other checks can append to.
    public func report(for snapshot: HostSnapshot) -> DiagnosisReport {
        var findings: [Finding] = []
        findings += loadFindings(snapshot)
        findings += pressureFindings(snapshot)
        findings += memoryFindings(snapshot)
        findings += diskFindings(snapshot)
        findings += duplicateWorkerFindings(snapshot)
        findings += systemdFindings(snapshot)
        findings += topProcessFindings(snapshot)
        return DiagnosisReport(findings: findings, notes: snapshot.notes)
    }

    /// The severity of `value` against a warning and a critical threshold, where higher is worse.
    func severity<Value: Comparable>(of value: Value, warning: Value, critical: Value) -> Finding.Severity? {
        if value >= critical { return .critical }
        if value >= warning { return .warning }
        return nil
    }
}
