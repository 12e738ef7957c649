import JobQueue

/// `jobq resume`: undoes a pause and an emergency stop of a queue. Clears the pause and the stop
/// request and records who resumed; it starts no systemd unit, but names the units the last
/// emergency stop stopped, to be started by hand once the cause is fixed.
public enum QueueResume {
    /// What a resume found and did.
    public struct Result: Sendable, Equatable {
        /// The queue's name.
        public var queue: String
        /// Whether the queue was paused.
        public var wasPaused: Bool
        /// The stop request that was cleared, if one was set.
        public var clearedStopRequest: StopRequest?
        /// The systemd units the last emergency stop of the queue stopped.
        public var unitsToStart: [String]

        /// `systemctl start …` for ``unitsToStart``, or `nil` when there are none.
        public var startCommand: String? {
            unitsToStart.isEmpty ? nil : "systemctl start " + unitsToStart.joined(separator: " ")
        }
    }

    /// Resumes a queue and records the action in its events.
    /// - Parameters:
    ///   - queue: the queue.
    ///   - by: who resumes, `user@host`.
    /// - Throws: ``JobQueue/JobQueueError`` when Redis fails.
    public static func resume(_ queue: Queue, by: String = OperatorIdentity.current) throws -> Result {
        let wasPaused = try queue.isPaused()
        let request = try queue.stopRequest()
        let lastStop = try queue.events().first { $0.action == .emergencyStop }
        try queue.resume()
        try queue.clearStopRequest()
        var steps = [wasPaused ? "cleared the pause" : "was not paused"]
        steps.append(request.map { "cleared the stop request of \($0.by)" } ?? "had no stop request")
        try queue.recordEvent(OperatorEvent(by: by, action: .resume, steps: steps))
        return Result(queue: queue.name.rawValue, wasPaused: wasPaused, clearedStopRequest: request, unitsToStart: lastStop?.units ?? [])
    }
}
