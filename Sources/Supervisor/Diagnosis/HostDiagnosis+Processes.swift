import HumanUnits

extension HostDiagnosis {
    /// `process.top`: the heaviest processes by CPU and by resident memory.
    func topProcessFindings(_ snapshot: HostSnapshot) -> [Finding] {
        let processes = snapshot.processes.filter { $0.pid != snapshot.observerPID }
        guard !processes.isEmpty, configuration.topProcessCount > 0 else { return [] }
        let count = configuration.topProcessCount
        let byCPU = processes.sorted { $0.cpuPercent > $1.cpuPercent }.prefix(count)
        let byMemory = processes.sorted { $0.residentBytes > $1.residentBytes }.prefix(count)
        return [Finding(
            severity: .info, code: .topProcesses,
            title: "Top \(count) processes by CPU and by memory (CPU is the average since each started, as ps shows)",
            evidence: ["by CPU:"] + byCPU.map { "  " + ProcessRow.describe($0) }
                + ["by memory:"] + byMemory.map { "  " + ProcessRow.describe($0) }
        )]
    }

    /// `process.duplicateWorkers`: one finding per group from `workerGroups(in:)`.
    func duplicateWorkerFindings(_ snapshot: HostSnapshot) -> [Finding] {
        workerGroups(in: snapshot).map { group in
            let names = Set(group.members.map(\.identity)).sorted()
            let title: String
            let severity: Finding.Severity
            let consequence: String
            switch group.kind {
            case .sameCommand:
                severity = .critical
                title = "\(group.members.count) copies of the same worker are running: \(names.joined(separator: ", "))"
                consequence = "copies of one worker take the same jobs twice and multiply its CPU and memory use"
            case .differentWorkers:
                severity = .warning
                title = "\(group.members.count) different workers run side by side: \(names.joined(separator: ", "))"
                consequence = "on a small host every extra worker takes CPU and memory from the others;"
                    + " one started by hand next to a service is usually a forgotten duplicate"
            }
            var evidence = group.members.flatMap { member in
                [ProcessRow.describe(member.process), "  " + Self.owner(of: member.process)]
            }
            evidence.append(consequence)
            var fix: [String] = []
            if group.surplusPIDs.isEmpty {
                evidence.append("which one should stay is unclear: none is run by a systemd service")
                let pids = group.members.map { String($0.process.pid) }.joined(separator: ",")
                fix.append("ps -o pid,ppid,etime,args -p \(pids)")
            } else {
                let pids = group.surplusPIDs.map(String.init).joined(separator: " ")
                evidence.append("surplus (safe to stop): pid \(pids)")
                fix += ["jobq emergency-stop --kill-duplicates", "kill \(pids)"]
            }
            return Finding(severity: severity, code: .duplicateWorkers, title: title, evidence: evidence, fix: fix)
        }
    }
}

extension HostDiagnosis {
    /// Who runs a process: its systemd service, or the scope it was started in by hand.
    fileprivate static func owner(of process: ProcessSample) -> String {
        guard let unit = process.systemdUnit else { return "not in any systemd unit" }
        return process.isInSystemdService ? "run by \(unit)" : "in \(unit), not a service"
    }
}

/// One process on one line: `pid 2301  45.5 %CPU  216 MiB  python scripts/rivet_worker.py`.
enum ProcessRow {
    /// Longest command line shown before it is cut with an ellipsis; keeps an indented row within 80 columns.
    static let commandWidth = 38

    static func describe(_ process: ProcessSample) -> String {
        let command = process.commandLine
        let shown = command.count > commandWidth ? command.prefix(commandWidth - 1) + "…" : command
        let pid = "pid \(process.pid)".padded(to: 9)
        let cpu = "\(process.cpuPercent.fixed(1)) %CPU".padded(to: 11, leading: true)
        let memory = ByteSizeText.readable(process.residentBytes).padded(to: 9, leading: true)
        return "\(pid) \(cpu) \(memory)  \(shown)"
    }
}

extension String {
    /// The string padded with spaces to `length` characters (on the left when `leading`); longer strings are unchanged.
    func padded(to length: Int, leading: Bool = false) -> String {
        let fill = String(repeating: " ", count: Swift.max(0, length - count))
        return leading ? fill + self : self + fill
    }
}
