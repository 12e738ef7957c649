import HumanUnits

extension HostDiagnosis {
    /// `psi.cpu`, `psi.memory`, `psi.io`: the share of the last minute in which tasks stalled.
    func pressureFindings(_ snapshot: HostSnapshot) -> [Finding] {
        guard let pressure = snapshot.pressure else { return [] }
        let resources: [(PressureStall?, Finding.Code, String, String)] = [
            (pressure.cpu, .cpuPressure, "CPU", "ps -eo pid,stat,pcpu,args --sort=-pcpu | head -n 15"),
            (pressure.memory, .memoryPressure, "memory", "ps -eo pid,rss,args --sort=-rss | head -n 15"),
            (pressure.io, .ioPressure, "I/O", "ps -eo pid,stat,args | awk '$2 ~ /D/'"),
        ]
        return resources.compactMap { stall, code, resource, command in
            guard let stall, let severity = severity(
                of: stall.some.avg60,
                warning: configuration.pressureWarningPercent, critical: configuration.pressureCriticalPercent
            ) else { return nil }
            var evidence = ["some: " + Self.describe(stall.some) + " (at least one task waiting)"]
            if let full = stall.full { evidence.append("full: " + Self.describe(full) + " (all tasks waiting at once)") }
            return Finding(
                severity: severity, code: code,
                title: "Tasks waited for \(resource) \(stall.some.avg60.fixed(1)) % of the last minute",
                evidence: evidence, fix: [command]
            )
        }
    }

    private static func describe(_ averages: PressureAverages) -> String {
        "avg10=\(averages.avg10.fixed(2)) avg60=\(averages.avg60.fixed(2)) avg300=\(averages.avg300.fixed(2)) percent"
    }
}
