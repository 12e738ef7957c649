/// Which ticks of a due schedule a scheduler enqueues, and the schedule's next fire time: the
/// catch-up policy applied to the ticks that passed. Computed by the client, checked and applied by
/// the fire script together with the enqueue.
public struct TickPlan: Sendable, Equatable {
    /// The most jobs one catch-up enqueues under ``CatchUpPolicy/all``.
    public static let maximumCatchUp = 100
    /// How many due ticks of a cron schedule are counted, at most, when catching up; beyond that
    /// the count stops and the schedule moves on to its next fire time after now.
    public static let countLimit = 1_000

    /// The tick times to enqueue a job for (ms since the epoch), oldest first.
    public var ticks: [Int64]
    /// Due ticks that get no job (dropped by the policy).
    public var missed: Int
    /// The schedule's next fire time, after `now`; `nil` when the rule never fires again.
    public var next: Int64?

    /// Plans a due schedule.
    /// - Parameters:
    ///   - due: the schedule's stored next fire time, at or before `now`.
    ///   - now: the Redis clock.
    ///   - lateness: how late a tick may fire under ``CatchUpPolicy/none``, in ms.
    public init(rule: ScheduleRule, anchor: Int64, due: Int64, now: Int64, policy: CatchUpPolicy, lateness: Int64) {
        let (newest, count, next) = Self.dueTicks(rule: rule, anchor: anchor, due: due, now: now)
        self.next = next
        guard let latest = newest.last else {
            ticks = []
            missed = 0
            return
        }
        switch policy {
        case .all: ticks = Array(newest.suffix(Self.maximumCatchUp))
        case .one: ticks = [latest]
        case .none: ticks = now - latest <= lateness ? [latest] : []
        }
        missed = count - ticks.count
    }

    /// The newest due ticks (up to ``maximumCatchUp``), how many ticks were due in all, and the
    /// next fire time after `now`.
    private static func dueTicks(rule: ScheduleRule, anchor: Int64, due: Int64, now: Int64) -> ([Int64], Int, Int64?) {
        guard due <= now else { return ([], 0, due) }
        if case .every(let interval) = rule {
            let step = max(1, interval.milliseconds)
            let count = (now - due) / step + 1
            let latest = due + (count - 1) * step
            let kept = min(count, Int64(maximumCatchUp))
            return ((0..<kept).reversed().map { latest - $0 * step }, Int(count), latest + step)
        }
        var newest: [Int64] = []
        var count = 0
        var tick: Int64? = due
        while let current = tick, current <= now {
            count += 1
            newest.append(current)
            if newest.count > maximumCatchUp { newest.removeFirst() }
            if count >= countLimit { return (newest, count, rule.nextFire(after: now, anchor: anchor)) }
            tick = rule.nextFire(after: current, anchor: anchor)
        }
        return (newest, count, tick)
    }
}
