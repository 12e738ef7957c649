import HumanUnits

extension HostDiagnosis {
    /// `memory.low`, `swap.none` and `swap.used`.
    func memoryFindings(_ snapshot: HostSnapshot) -> [Finding] {
        guard let memory = snapshot.memory, memory.totalBytes > 0 else { return [] }
        let availableLine = "\(ByteSizeText.readable(memory.availableBytes)) of \(ByteSizeText.readable(memory.totalBytes)) memory available"
            + " (\((memory.availableFraction * 100).fixed(0)) %)"
        let memorySeverity = lowMemorySeverity(memory)
        var findings: [Finding] = []
        if let memorySeverity {
            let hogs = snapshot.processes.sorted { $0.residentBytes > $1.residentBytes }.prefix(3)
            findings.append(Finding(
                severity: memorySeverity, code: .memoryLow,
                title: "Only \(ByteSizeText.readable(memory.availableBytes)) of memory is available",
                evidence: [availableLine + " (MemAvailable: what new work can use without swapping)", "largest:"]
                    + hogs.map { "  " + ProcessRow.describe($0) },
                fix: ["ps -eo pid,rss,etime,args --sort=-rss | head -n 15"]
            ))
        }
        if memory.swapTotalBytes == 0 {
            findings.append(Finding(
                severity: memorySeverity == nil ? .warning : .critical, code: .swapNone,
                title: "No swap is configured: when memory runs out the kernel kills processes at once",
                evidence: [
                    "SwapTotal is 0",
                    availableLine,
                    "a little swap absorbs short peaks and gives time to react before the OOM killer strikes",
                ],
                fix: Self.swapfileRecipe(memoryBytes: memory.totalBytes)
            ))
        } else {
            let usedFraction = Double(memory.swapUsedBytes) / Double(memory.swapTotalBytes)
            if let severity = severity(
                of: usedFraction,
                warning: configuration.swapUsedWarningFraction, critical: configuration.swapUsedCriticalFraction
            ) {
                findings.append(Finding(
                    severity: severity, code: .swapUsed,
                    title: "\((usedFraction * 100).fixed(0)) % of swap is in use",
                    evidence: [
                        "\(ByteSizeText.readable(memory.swapUsedBytes)) of \(ByteSizeText.readable(memory.swapTotalBytes)) swap used",
                        availableLine,
                    ],
                    fix: ["ps -eo pid,rss,etime,args --sort=-rss | head -n 15"]
                ))
            }
        }
        return findings
    }

    /// Critical or warning when available memory is below the configured fractions of the total.
    private func lowMemorySeverity(_ memory: MemoryInfo) -> Finding.Severity? {
        if memory.availableFraction < configuration.memoryCriticalFraction { return .critical }
        if memory.availableFraction < configuration.memoryWarningFraction { return .warning }
        return nil
    }

    /// Commands that create and enable a swap file of about half the memory, between 1 and 4 GiB.
    static func swapfileRecipe(memoryBytes: UInt64) -> [String] {
        let halfMemoryGiB = Double(memoryBytes) / Double(1 << 30) / 2
        let gibibytes = min(max(Int(halfMemoryGiB.rounded()), 1), 4)
        return [
            "fallocate -l \(gibibytes)G /swapfile && chmod 600 /swapfile && mkswap /swapfile && swapon /swapfile",
            "echo '/swapfile none swap sw 0 0' >> /etc/fstab",
        ]
    }
}
