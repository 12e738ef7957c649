import JobQueue

/// Turns queue verdicts into findings: every verdict that is not OK becomes one, with the
/// statistics behind it and the commands that help.
public enum QueueDiagnosis {
    /// The findings for the queues' statistics, in the order of the queues.
    ///
    /// LOST, CRASH LOOP and STUCK are critical, BACKLOG a warning, STOPPED and PAUSED a warning while
    /// work waits and information otherwise.
    public static func findings(for stats: [QueueStats]) -> [Finding] {
        stats.flatMap { queue in
            queue.verdicts.map { verdict in
                Finding(
                    severity: severity(of: verdict.kind, waiting: queue.jobs.waiting + queue.jobs.delayedDue),
                    code: code(of: verdict.kind),
                    title: "queue \(queue.queue): \(verdict.kind.title) — \(verdict.summary)",
                    evidence: verdict.evidence,
                    fix: verdict.fix
                )
            }
        }
    }

    private static func severity(of kind: QueueVerdict.Kind, waiting: Int) -> Finding.Severity {
        switch kind {
        case .lost, .crashLoop, .stuck: return .critical
        case .backlog: return .warning
        case .stopped, .paused: return waiting > 0 ? .warning : .info
        case .ok: return .info
        }
    }

    private static func code(of kind: QueueVerdict.Kind) -> Finding.Code {
        switch kind {
        case .lost: return .queueLost
        case .crashLoop: return .queueCrashLoop
        case .stuck: return .queueStuck
        case .backlog: return .queueBacklog
        case .stopped: return .queueStopped
        case .paused: return .queuePaused
        case .ok: return "queue.ok"
        }
    }
}
