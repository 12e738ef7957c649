import JobQueue

/// One thing that happened to a queue's workers, or an operator's action on it, for the
/// dashboard's timeline.
public struct TimelineEntry: Sendable, Codable, Equatable {
    /// What happened.
    public enum Kind: String, Sendable, Codable {
        /// Workers launched by the supervisor in one minute (only their number per minute is kept).
        case launches
        /// A worker exited and the exit counts as a crash.
        case crash
        /// A worker was killed by the kernel's OOM killer.
        case oom
        /// A worker exited cleanly (or was stopped on request).
        case exit
        /// The crash-loop breaker tripped.
        case breaker
        /// `jobq emergency-stop`.
        case emergencyStop = "emergency-stop"
        /// `jobq resume`.
        case resume
    }

    /// When (ms since the epoch, Redis clock; the start of the minute for ``Kind/launches``).
    public var at: Int64
    /// What happened.
    public var kind: Kind
    /// One line saying it.
    public var text: String

    /// Creates an entry.
    public init(at: Int64, kind: Kind, text: String) {
        self.at = at
        self.kind = kind
        self.text = text
    }

    /// The timeline since `since`, newest first: launches per minute from the counters, each
    /// recorded worker exit, the breaker's trip and the operator events.
    static func timeline(
        history: CounterHistory, supervisor: SupervisorSummary, exits: [WorkerExitRecord], events: [OperatorEvent], since: Int64
    ) -> [TimelineEntry] {
        var entries: [TimelineEntry] = []
        for (index, minute) in history.minutes.enumerated() where minute.launches > 0 {
            entries.append(TimelineEntry(
                at: history.start + Int64(index) * 60_000, kind: .launches,
                text: "\(minute.launches) worker launch\(minute.launches == 1 ? "" : "es")"))
        }
        for exit in exits where exit.at >= since {
            let kind: Kind = exit.oom ? .oom : exit.crash ? .crash : .exit
            let held = exit.jobs.isEmpty ? "" : ", held " + exit.jobs.map { "\($0.id) (\($0.outcome))" }.joined(separator: ", ")
            entries.append(TimelineEntry(at: exit.at, kind: kind, text: "worker \(exit.workerID) on \(exit.host): \(exit.cause)\(held)"))
        }
        if supervisor.breakerTripped, let at = supervisor.breakerAt {
            entries.append(TimelineEntry(at: at, kind: .breaker, text: "breaker tripped: \(supervisor.breakerReason ?? "crash loop")"))
        }
        for event in events where event.at >= since {
            let kind: Kind = event.action == .emergencyStop ? .emergencyStop : .resume
            let why = event.reason.isEmpty ? "" : " (\(event.reason))"
            entries.append(TimelineEntry(at: event.at, kind: kind, text: "\(event.action.rawValue) by \(event.by)\(why)"))
        }
        return entries.sorted { $0.at > $1.at }
    }
}
