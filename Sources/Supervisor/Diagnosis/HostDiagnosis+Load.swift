import HumanUnits

extension HostDiagnosis {
    /// `load.high`: the highest load average per CPU against the thresholds.
    func loadFindings(_ snapshot: HostSnapshot) -> [Finding] {
        guard let load = snapshot.load else { return [] }
        let cpus = max(snapshot.cpuCount ?? 1, 1)
        let perCPU = load.highest / Double(cpus)
        guard let severity = severity(
            of: perCPU, warning: configuration.loadWarningPerCPU, critical: configuration.loadCriticalPerCPU
        ) else { return [] }
        let cpuWord = cpus == 1 ? "1 CPU" : "\(cpus) CPUs"
        var evidence = [
            "load averages \(load.oneMinute.fixed(2)), \(load.fiveMinutes.fixed(2)), \(load.fifteenMinutes.fixed(2))"
                + " (1, 5, 15 minutes) on \(cpuWord)"
                + (snapshot.cpuCount == nil ? " (CPU count unknown, assumed 1)" : ""),
            "Linux load counts runnable tasks AND tasks in uninterruptible sleep (D state, usually waiting"
                + " for disk or network I/O): high load with idle CPUs means I/O stalls, not CPU shortage",
        ]
        let live = snapshot.processes.filter { $0.pid != snapshot.observerPID }
        if !live.isEmpty {
            let running = live.filter { $0.state == "R" }.count
            let blocked = live.filter { $0.state == "D" }
            var line = "now: \(running) runnable (R), \(blocked.count) in uninterruptible sleep (D)"
            if !blocked.isEmpty {
                line += ": pids " + blocked.prefix(8).map { String($0.pid) }.joined(separator: ", ")
            }
            evidence.append(line)
            let busiest = live.sorted { $0.cpuPercent > $1.cpuPercent }.prefix(3)
            evidence += ["busiest:"] + busiest.map { "  " + ProcessRow.describe($0) }
        }
        return [Finding(
            severity: severity, code: .loadHigh,
            title: "Load is \(perCPU.fixed(2)) per CPU on \(cpuWord): more tasks want to run than the host can serve",
            evidence: evidence,
            fix: ["ps -eo pid,stat,pcpu,rss,etime,args --sort=-pcpu | head -n 15"]
        )]
    }
}
