/// Reads every process from `/proc/<pid>/{stat,cmdline,status,cgroup}`.
struct ProcessScanner: Sendable {
    /// Reads below the probe's root.
    var files: HostFileReader
    /// The unit of the tick counts in `stat`.
    var clockTicksPerSecond: Double

    /// Samples all processes, in pid order. Processes that exit during the scan are skipped silently;
    /// malformed ones are skipped with one note naming their pids.
    func scan(uptimeSeconds: Double?, notes: inout [String]) -> [ProcessSample] {
        let entries: [String]
        do {
            entries = try files.directoryEntries("/proc")
        } catch {
            notes.append("\(error.description); no processes were read")
            return []
        }
        let pids = entries.compactMap { Int32($0) }.filter { $0 > 0 }.sorted()
        var samples: [ProcessSample] = []
        var malformed: [Int32] = []
        for pid in pids {
            switch sample(pid, uptimeSeconds: uptimeSeconds) {
            case .sampled(let process): samples.append(process)
            case .malformed: malformed.append(pid)
            case .gone: continue
            }
        }
        if !malformed.isEmpty {
            let list = malformed.map(String.init).joined(separator: ", ")
            notes.append("Skipped processes whose /proc/<pid>/stat could not be read or parsed: \(list)")
        }
        return samples
    }

    private enum Outcome {
        case sampled(ProcessSample)
        case malformed
        case gone
    }

    private func sample(_ pid: Int32, uptimeSeconds: Double?) -> Outcome {
        let directory = "/proc/\(pid)"
        let statText: String
        do {
            statText = try files.text("\(directory)/stat")
        } catch {
            return error.code == .missing ? .gone : .malformed
        }
        guard let stat = ProcStatFields(procStat: statText) else { return .malformed }
        let arguments = (try? files.contents("\(directory)/cmdline")).map(ProcFiles.arguments(cmdline:)) ?? []
        let residentBytes = (try? files.text("\(directory)/status")).flatMap(ProcFiles.residentBytes(status:)) ?? 0
        let unit = (try? files.text("\(directory)/cgroup")).flatMap(ProcFiles.systemdUnit(cgroup:))
        let startSeconds = Double(stat.startTicks) / clockTicksPerSecond
        let runningSeconds = uptimeSeconds.map { max(0, $0 - startSeconds) } ?? 0
        return .sampled(ProcessSample(
            pid: pid, parentPID: stat.parentPID, name: stat.name, state: stat.state, arguments: arguments,
            residentBytes: residentBytes, cpuSeconds: Double(stat.cpuTicks) / clockTicksPerSecond,
            runningSeconds: runningSeconds, systemdUnit: unit
        ))
    }
}
