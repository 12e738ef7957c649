/// Which ticks of a due schedule a scheduler enqueues, and the schedule's next fire time: the
/// catch-up policy applied to the ticks that passed. Computed by the client, checked and applied by
/// the fire script together with the enqueue.
public struct TickPlan: Sendable, Equatable {
    /// The most jobs one catch-up enqueues under ``CatchUpPolicy/all``.
    public static let maximumCatchUp = 100
    /// How many due ticks of a cron schedule are counted, at most, when catching up; beyond that
    /// the count stops, the ticks to enqueue are still the newest ones, and the schedule moves on
    /// to its next fire time after now.
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
        let walk = walk(rule: rule, anchor: anchor, from: due, through: now)
        guard !walk.complete, let reached = walk.ticks.last else { return (walk.ticks, walk.count, walk.next) }
        // Too many ticks to walk to now: the count stops here, and the newest ticks come from a
        // walk that starts closer to now.
        let spacing = (reached - due) / Int64(countLimit - 1)
        let newest = newestTicks(rule: rule, anchor: anchor, after: reached, now: now, spacing: spacing, older: walk.ticks)
        return (newest, countLimit, rule.nextFire(after: now, anchor: anchor))
    }

    /// Walks a cron rule's ticks from `first` (a tick) up to `now`, at most ``countLimit`` of them.
    /// Returns the newest ones (up to ``maximumCatchUp``), how many were walked, whether the walk
    /// reached `now`, and the first tick after `now` when it did.
    private static func walk(rule: ScheduleRule, anchor: Int64, from first: Int64?, through now: Int64)
        -> (ticks: [Int64], count: Int, complete: Bool, next: Int64?)
    {
        var newest: [Int64] = []
        var count = 0
        var tick = first
        while let current = tick, current <= now {
            if count == countLimit { return (newest, count, false, nil) }
            count += 1
            newest.append(current)
            if newest.count > maximumCatchUp { newest.removeFirst() }
            tick = rule.nextFire(after: current, anchor: anchor)
        }
        return (newest, count, true, tick)
    }

    /// The newest ticks of a cron rule at or before `now` (up to ``maximumCatchUp``), when walking
    /// there from `floor`, a tick, would take too long. `older` are the newest ticks up to `floor`;
    /// `spacing` the average time between ticks so far. Walks from about ``maximumCatchUp`` ticks
    /// before now: further back while that finds too few, between the last two starts while it
    /// finds too many to walk.
    private static func newestTicks(rule: ScheduleRule, anchor: Int64, after floor: Int64, now: Int64, spacing: Int64, older: [Int64]) -> [Int64] {
        var tooFew: Int64 = 0
        var tooMany: Int64?
        var span = max(spacing, 60_000) * Int64(maximumCatchUp)
        while true {
            let start = max(floor, now - span)
            let walk = walk(rule: rule, anchor: anchor, from: rule.nextFire(after: start, anchor: anchor), through: now)
            if walk.complete && start == floor { return Array((older + walk.ticks).suffix(maximumCatchUp)) }
            if walk.complete && walk.count >= maximumCatchUp { return walk.ticks }
            if walk.complete { tooFew = span } else { tooMany = span }
            let next = tooMany.map { (tooFew + $0) / 2 } ?? span * 4
            // Cron ticks are at least a minute apart: spans a minute apart cannot differ by more
            // than a tick, so this ends; the guard only bounds the loop.
            guard next != span, next - tooFew >= 60_000 else { return walk.ticks }
            span = next
        }
    }
}
