/// A change the dashboard can make to a queue (`POST /api/queues/Q/...`), each the same as its
/// `jobq` command.
enum QueueAction: Sendable, Equatable {
    /// `jobq retry Q ID`, or `jobq retry Q --all` when `nil`.
    case retryDead(String?)
    /// `jobq pause Q`.
    case pause
    /// `jobq resume Q`: clears the pause and the stop request.
    case resume
    /// `jobq breaker reset Q`.
    case resetBreaker
    /// `jobq emergency-stop Q`, without waiting for the jobs in hand.
    case emergencyStop
}
