import Foundation
import HumanUnits
import JobQueue

/// The events jobq raises, one constructor per kind, so that each kind's summary and details are
/// written in one place (and documented in `docs/alerts.md`).
extension AlertEvent {
    /// The breaker tripped. Details: `reason`.
    public static func breakerTripped(queue: QueueName, reason: String) -> AlertEvent {
        AlertEvent(
            kind: .breakerTripped, queue: queue.rawValue,
            summary: "crash-loop breaker of queue \(queue) tripped: \(reason); no worker is launched until: jobq breaker reset \(queue)",
            details: ["reason": reason]
        )
    }

    /// A tripped breaker was reset. Details: `reason` (why it had tripped).
    public static func breakerReset(queue: QueueName, reason: String?) -> AlertEvent {
        AlertEvent(
            kind: .breakerReset, queue: queue.rawValue,
            summary: "crash-loop breaker of queue \(queue) reset; its supervisor may be started again",
            details: ["reason": reason ?? ""]
        )
    }

    /// A job was quarantined as poison. Details: `job`, `cause` (how the worker ended).
    public static func jobPoisoned(queue: QueueName, job: String, cause: String) -> AlertEvent {
        AlertEvent(
            kind: .jobPoisoned, queue: queue.rawValue,
            summary: "job \(job) of queue \(queue) quarantined as poison (the worker died with it in hand: \(cause)); see: jobq dead \(queue)",
            details: ["job": job, "cause": cause]
        )
    }

    /// A worker was killed for running out of memory. Details: `worker_pid`, `worker_id`,
    /// `memory_max` (the cap, bytes; empty when uncapped), `memory_peak` (bytes; empty when unknown).
    public static func workerOOMKilled(queue: QueueName, workerPID: Int32, workerID: String, memoryMax: UInt64?, memoryPeak: UInt64?) -> AlertEvent {
        let cap = memoryMax.map { " (cap \(ByteSizeText.format($0)))" } ?? ""
        return AlertEvent(
            kind: .workerOOMKilled, queue: queue.rawValue,
            summary: "worker \(workerPID) of queue \(queue) ran out of memory\(cap) and was killed",
            details: [
                "worker_pid": String(workerPID), "worker_id": workerID,
                "memory_max": memoryMax.map(String.init) ?? "", "memory_peak": memoryPeak.map(String.init) ?? "",
            ]
        )
    }

    /// The queue's verdict changed to `verdict` (CRASH LOOP, STUCK, BACKLOG) or back to OK (`nil`)
    /// from `previous` (`nil` when it is the first seen). Details: `verdict`, `previous`
    /// (`ok`, `crash_loop`, `stuck`, `backlog`, or empty), `evidence` (lines), `fix` (commands, one
    /// per line).
    public static func verdictChanged(queue: QueueName, to verdict: QueueVerdict?, from previous: QueueVerdict.Kind?) -> AlertEvent {
        let kind: AlertKind = switch verdict?.kind {
        case .crashLoop: .verdictCrashLoop
        case .stuck: .verdictStuck
        case .backlog: .verdictBacklog
        default: .verdictOK
        }
        let title = verdict?.kind.title ?? QueueVerdict.Kind.ok.title
        let was = previous.map { " (was \($0.title))" } ?? ""
        return AlertEvent(
            kind: kind, queue: queue.rawValue,
            summary: "queue \(queue) is \(title)\(was)" + (verdict.map { ": \($0.summary)" } ?? ""),
            details: [
                "verdict": (verdict?.kind ?? .ok).rawValue, "previous": previous?.rawValue ?? "",
                "evidence": verdict?.evidence.joined(separator: "\n") ?? "", "fix": verdict?.fix.joined(separator: "\n") ?? "",
            ]
        )
    }

    /// An emergency stop stopped the queue (`nil`: stopped units only). Details: `by`, `reason`,
    /// `complete` (`true`, or `false` when a unit did not stop, a process survived or jobs are
    /// still running), `units` (stopped, one per line).
    public static func emergencyStop(queue: QueueName?, by: String, reason: String, complete: Bool, units: [String]) -> AlertEvent {
        AlertEvent(
            kind: .emergencyStop, queue: queue?.rawValue,
            summary: (queue.map { "queue \($0) emergency-stopped" } ?? "emergency stop of \(units.joined(separator: ", "))")
                + " by \(by): \(reason)" + (complete ? "" : " (incomplete)"),
            details: ["by": by, "reason": reason, "complete": String(complete), "units": units.joined(separator: "\n")]
        )
    }

    /// `jobq resume` cleared the queue's pause or stop request. Details: `by`, `cleared` (what:
    /// `pause`, `stop request`, one per line).
    public static func resumed(queue: QueueName, by: String, cleared: [String]) -> AlertEvent {
        AlertEvent(
            kind: .resumed, queue: queue.rawValue,
            summary: "queue \(queue) resumed by \(by) (\(cleared.joined(separator: ", ")) cleared)",
            details: ["by": by, "cleared": cleared.joined(separator: "\n")]
        )
    }

    /// The supervisor has not reached Redis for `duration`. Details: `error`, `redis` (the
    /// address, without a password), `down_for_ms`.
    public static func redisUnreachable(queue: QueueName, redis: String, error: String, for duration: Duration) -> AlertEvent {
        AlertEvent(
            kind: .redisUnreachable, queue: queue.rawValue,
            summary: "the supervisor of queue \(queue) has not reached Redis at \(redis) for \(DurationText.format(duration)): \(error)",
            details: ["error": error, "redis": redis, "down_for_ms": String(duration.milliseconds)]
        )
    }

    /// Redis answers again after an alerted outage of `duration`. Details: `redis`, `down_for_ms`.
    public static func redisReachable(queue: QueueName, redis: String, after duration: Duration) -> AlertEvent {
        AlertEvent(
            kind: .redisReachable, queue: queue.rawValue,
            summary: "the supervisor of queue \(queue) reaches Redis at \(redis) again after \(DurationText.format(duration))",
            details: ["redis": redis, "down_for_ms": String(duration.milliseconds)]
        )
    }
}
