import Foundation

/// What /proc says about a process.
public enum ProcessState {
    /// True when the process no longer runs: no such pid, or a zombie waiting to be reaped by init.
    public static func isGone(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return true }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state == "Z" || state == "X"
    }
}
