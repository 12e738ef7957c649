/// What `jobq stats` reads and the thresholds of its verdicts. Every field has a default; the rules
/// are documented in `docs/operations.md`.
public struct StatsConfiguration: Sendable {
    /// Worker crashes counted by the supervisor within the last 10 minutes that make a crash loop
    /// (a tripped breaker always does). Default: 3.
    public var crashLoopCrashes = 3
    /// How long the oldest waiting job may have waited, with nothing processed in the last 5
    /// minutes and no worker running, before the queue is stuck. Default: 5 minutes.
    public var stuckAfter: Duration = .seconds(300)
    /// Jobs crashed (a lease expired or a worker died with them in hand) in the last 5 minutes,
    /// with none processed, that make the queue stuck. Default: 2.
    public var stuckCrashedJobs = 2
    /// How long after its lease ended a running job counts as an expired lease nobody recovered
    /// (the reaper runs every few seconds while any worker or supervisor is alive). Default: 30 s.
    public var expiredLeaseGrace: Duration = .seconds(30)
    /// How many more jobs must have been enqueued than processed, dead-lettered or cancelled in
    /// the last 5 minutes for a backlog. Default: 10.
    public var backlogGrowth = 10
    /// How long a supervisor whose hash says it is active may go without writing it before it
    /// counts as gone. Default: 15 s (it writes every tick, 1 s by default).
    public var supervisorSilentAfter: Duration = .seconds(15)
    /// How long after a job was lost (its hash evicted) the queue's verdict stays LOST. Default:
    /// 24 hours, so a loss overnight is still seen in the morning.
    public var lostVerdictFor: Duration = .seconds(24 * 3600)
    /// The most live workers listed. Default: 20.
    public var workerLimit = 20
    /// The most recent worker exits listed. Default: 5.
    public var exitLimit = 5

    /// The defaults.
    public init() {}
}
