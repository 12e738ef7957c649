/// Tells whether one worker run ran out of memory, from its cgroup: an OOM anywhere in the cgroup
/// is an OOM of the whole worker.
///
/// Only this run counts: the kill count is compared with the count when the worker was launched,
/// so kills left in the counter by anything before the launch are never blamed on it.
struct OutOfMemoryWatch: Sendable {
    /// The worker's cgroup.
    let cgroup: WorkerCgroup
    /// The cgroup's OOM kill count just before the worker was launched (0 for a fresh cgroup).
    let killsAtLaunch: UInt64

    /// Starts watching a cgroup: call it before the worker is launched into it.
    init(cgroup: WorkerCgroup) {
        self.cgroup = cgroup
        killsAtLaunch = cgroup.oomStatus().kills ?? 0
    }

    /// What ran out of memory during this run, in words for the log; `nil` when nothing did.
    func check() -> String? {
        let status = cgroup.oomStatus()
        if status.waitingForMemory {
            return "its processes are waiting for memory at the cap"
        }
        if let kills = status.kills, kills > killsAtLaunch {
            let count = kills - killsAtLaunch
            return "the kernel's OOM killer killed \(count) process\(count == 1 ? "" : "es") in its cgroup"
        }
        return nil
    }
}
