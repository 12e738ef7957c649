import Foundation
import HumanUnits

/// How a worker's log tells people what became of a run: attempts counted from 1, retries as a
/// wait and an ISO-8601 time, errors on one line (line breaks escaped, long text shortened in the
/// middle; `jobq show` has it whole).
enum SettleText {
    /// The longest error or reason a log line carries.
    static let textLimit = 500

    /// A run that failed and was recorded with `outcome`.
    static func failed(_ job: ReservedJob, error: String, outcome: Consumer.FailOutcome) -> String {
        let run = "job \(job.id) failed on attempt \(job.attempt) of \(job.maxAttempts)"
        switch outcome {
        case .retryScheduled(let at, let after):
            let wait = HumanText.wait(Int64(after.milliseconds))
            return "\(run): \(HumanText.oneLine(error, limit: textLimit)); retry in \(wait) (attempt \(job.attempt + 1) of \(job.maxAttempts), at \(isoTime(at)))"
        case .deadLettered(let reason):
            return "\(run) and was dead-lettered: \(HumanText.oneLine(reason, limit: textLimit))"
        case .stale:
            return "\(run) after its lease was lost; not recorded (the job runs again)"
        }
    }

    /// A run that failed for good: dead-lettered without retries.
    static func deadLettered(_ job: ReservedJob, reason: String) -> String {
        "job \(job.id) dead-lettered on attempt \(job.attempt) of \(job.maxAttempts): \(HumanText.oneLine(reason, limit: textLimit))"
    }

    /// Milliseconds since the epoch as UTC ISO-8601, e.g. `2026-11-29T10:00:00Z`.
    static func isoTime(_ milliseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}
