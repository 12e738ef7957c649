/// What a schedule does with ticks that passed while no scheduler ran (all hosts down, a
/// schedule's scheduler stopped): see `docs/schedules.md`.
public enum CatchUpPolicy: String, Sendable, Hashable, CaseIterable, Codable {
    /// Drops missed ticks: only a tick less than ``Scheduler/Configuration/lateness`` old fires.
    case none
    /// One job for all the ticks missed (the newest tick's), however many there were. The default.
    case one
    /// One job per missed tick, oldest first, at most ``TickPlan/maximumCatchUp`` (the newest ones).
    case all
}
