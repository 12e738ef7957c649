import JobQueue

/// What a supervisor raises to its ``AlertRunner`` beyond single events: a Redis outage once it
/// lasted ``Supervisor/Configuration/redisUnreachableAlertAfter`` (and its end), and changes of the
/// queue's verdict, judged every ``Supervisor/Configuration/verdictCheckInterval``. Without a
/// runner it raises nothing and never asks for a verdict. Lives on the supervisor's thread.
struct SupervisorAlerts {
    let runner: AlertRunner?
    let queue: QueueName
    /// Where Redis is, as events name it (no password).
    let redisAddress: String
    let unreachableAfter: Duration
    let verdictInterval: Duration
    private var outageStart: ContinuousClock.Instant?
    private var outageAlerted = false
    /// The verdict last judged among OK, CRASH LOOP, STUCK and BACKLOG; `nil` before the first.
    private var lastVerdict: QueueVerdict.Kind?
    private var nextVerdictCheck = ContinuousClock.now

    /// The verdicts that are alerted, most urgent first; any other counts as OK.
    static let alertedVerdicts: [QueueVerdict.Kind] = [.crashLoop, .stuck, .backlog]

    init(runner: AlertRunner?, queue: QueueName, redisAddress: String, configuration: Supervisor.Configuration) {
        self.runner = runner
        self.queue = queue
        self.redisAddress = redisAddress
        unreachableAfter = configuration.redisUnreachableAlertAfter
        verdictInterval = configuration.verdictCheckInterval
    }

    /// Queues an event for the alert command, if there is one.
    func raise(_ event: AlertEvent) {
        runner?.raise(event)
    }

    /// Notes a failed Redis call; raises `redis_unreachable` once the outage lasted long enough.
    mutating func redisFailed(_ error: String) {
        let now = ContinuousClock.now
        let start = outageStart ?? now
        outageStart = start
        guard !outageAlerted, now - start >= unreachableAfter else { return }
        outageAlerted = true
        raise(.redisUnreachable(queue: queue, redis: redisAddress, error: error, for: now - start))
    }

    /// Notes a Redis call that succeeded; raises `redis_reachable` when the outage was alerted.
    mutating func redisAnswered() {
        guard let start = outageStart else { return }
        if outageAlerted { raise(.redisReachable(queue: queue, redis: redisAddress, after: ContinuousClock.now - start)) }
        outageStart = nil
        outageAlerted = false
    }

    /// Whether the verdict should be judged now (there is a runner and the interval has passed);
    /// when it is, the next check is scheduled.
    mutating func verdictCheckIsDue() -> Bool {
        let now = ContinuousClock.now
        guard runner != nil, now >= nextVerdictCheck else { return false }
        nextVerdictCheck = now + verdictInterval
        return true
    }

    /// Raises an alert when the most urgent alerted verdict differs from the last one judged; the
    /// first judgement alerts only when it is not OK.
    mutating func judged(_ verdicts: [QueueVerdict]) {
        let current = verdicts.first { Self.alertedVerdicts.contains($0.kind) }
        let kind = current?.kind ?? .ok
        defer { lastVerdict = kind }
        guard kind != lastVerdict, lastVerdict != nil || kind != .ok else { return }
        raise(.verdictChanged(queue: queue, to: current, from: lastVerdict))
    }
}
