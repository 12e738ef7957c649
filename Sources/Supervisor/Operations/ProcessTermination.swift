import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ends processes by their exact pid: SIGTERM, a grace period, then SIGKILL. Before each signal the
/// pid is checked to still run the command line it was listed with, so a pid reused by another
/// program in the meantime is left alone. Never matches processes by name or pattern.
///
/// Synchronous and blocking: call it from a dedicated thread, never from async code.
struct ProcessTermination {
    /// What became of one process.
    enum Result: Equatable {
        /// It exited after SIGTERM.
        case terminated
        /// It ignored SIGTERM for the whole grace period and was killed.
        case killed
        /// It was already gone before any signal.
        case alreadyGone
        /// Its pid now runs another command line: it was left alone.
        case replaced
        /// The signal could not be sent (errno), or it survived SIGKILL.
        case failed(String)
    }

    /// How long a process has after SIGTERM before SIGKILL.
    var grace: Duration
    /// How often to look whether the processes are gone.
    var pollInterval: Duration = .milliseconds(50)

    /// Ends every process, all in parallel, and says what became of each (in the order given).
    func terminate(_ processes: [ProcessSample]) -> [Result] {
        var results: [Result?] = processes.map { process in
            switch identity(of: process) {
            case .gone: return .alreadyGone
            case .other: return .replaced
            case .same: return signal(process.pid, SIGTERM)
            }
        }
        var running: [Int] { results.indices.filter { results[$0] == nil && identity(of: processes[$0]) == .same } }
        waitUntil(within: grace) { running.isEmpty }
        let survivors = running
        for index in results.indices where results[index] == nil && !survivors.contains(index) {
            results[index] = .terminated
        }
        for index in survivors {
            results[index] = signal(processes[index].pid, SIGKILL).map { $0 == .alreadyGone ? .terminated : $0 } ?? .killed
        }
        waitUntil(within: .seconds(5)) { !survivors.contains { identity(of: processes[$0]) == .same } }
        for index in survivors where results[index] == .killed && identity(of: processes[index]) == .same {
            results[index] = .failed("still running after SIGKILL")
        }
        return results.map { $0 ?? .terminated }
    }

    private func waitUntil(within limit: Duration, _ done: () -> Bool) {
        let deadline = ContinuousClock.now + limit
        while !done() && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: pollInterval.seconds)
        }
    }

    /// Sends a signal; `nil` when it was sent, else why not.
    private func signal(_ pid: Int32, _ number: Int32) -> Result? {
        if kill(pid, number) == 0 { return nil }
        let code = errno
        if code == ESRCH { return .alreadyGone }
        return .failed("kill(\(pid)): \(String(cString: strerror(code)))")
    }

    private enum Identity { case same, other, gone }

    /// Whether the pid still runs the listed command line; a zombie counts as gone.
    private func identity(of process: ProcessSample) -> Identity {
        let files = HostFileReader(root: "/")
        guard let text = try? files.text("/proc/\(process.pid)/stat"), let stat = ProcStatFields(procStat: text),
              stat.state != "Z", stat.state != "X",
              let cmdline = try? files.contents("/proc/\(process.pid)/cmdline")
        else { return .gone }
        return ProcFiles.arguments(cmdline: cmdline) == process.arguments ? .same : .other
    }
}
