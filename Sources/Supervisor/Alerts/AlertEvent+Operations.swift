import JobQueue

/// The alerts of the operator commands, from what they did.
extension AlertEvent {
    /// One `emergency_stop` alert per queue the stop covered, or one about no queue when it
    /// stopped units or processes only.
    public static func emergencyStops(_ plan: EmergencyStop.Plan, _ outcome: EmergencyStop.Outcome, configuration: EmergencyStop.Configuration) -> [AlertEvent] {
        let queues: [QueueName?] = plan.queues.isEmpty ? [nil] : plan.queues
        return queues.map { queue in
            .emergencyStop(queue: queue, by: configuration.by, reason: configuration.reason, complete: outcome.isComplete, units: outcome.stoppedUnits)
        }
    }

    /// The `resumed` alert of a queue `jobq resume` cleared a pause or a stop request of; `nil`
    /// when there was neither.
    public static func resumed(_ result: QueueResume.Result, by: String) -> AlertEvent? {
        var cleared: [String] = []
        if result.wasPaused { cleared.append("pause") }
        if result.clearedStopRequest != nil { cleared.append("stop request") }
        guard !cleared.isEmpty, let queue = try? QueueName(result.queue) else { return nil }
        return .resumed(queue: queue, by: by, cleared: cleared)
    }
}
