import Foundation
@testable import JobQueue
import Testing

/// Which ticks a due schedule enqueues under each catch-up policy, and its next fire time.
@Suite("Tick plans") struct TickPlanTests {
    static let minute: Int64 = 60_000
    let every10m = ScheduleRule.every(.seconds(600))

    @Test func anOnTimeTickFiresAloneUnderEveryPolicy() {
        for policy in CatchUpPolicy.allCases {
            let plan = TickPlan(rule: every10m, anchor: 0, due: 10 * Self.minute, now: 10 * Self.minute + 30, policy: policy, lateness: Self.minute)
            #expect(plan == TickPlan.expected(ticks: [10 * Self.minute], missed: 0, next: 20 * Self.minute), "\(policy)")
        }
    }

    @Test func ticksMissedDuringDowntimeFollowThePolicy() {
        // Due at 10m, now 35m: ticks 10m, 20m, 30m passed.
        let (due, now) = (10 * Self.minute, 35 * Self.minute)
        let all = TickPlan(rule: every10m, anchor: 0, due: due, now: now, policy: .all, lateness: Self.minute)
        #expect(all == TickPlan.expected(ticks: [10, 20, 30].map { $0 * Self.minute }, missed: 0, next: 40 * Self.minute))
        let one = TickPlan(rule: every10m, anchor: 0, due: due, now: now, policy: .one, lateness: Self.minute)
        #expect(one == TickPlan.expected(ticks: [30 * Self.minute], missed: 2, next: 40 * Self.minute))
        let none = TickPlan(rule: every10m, anchor: 0, due: due, now: now, policy: .none, lateness: Self.minute)
        #expect(none == TickPlan.expected(ticks: [], missed: 3, next: 40 * Self.minute), "the newest tick is 5 minutes late")
        let noneInGrace = TickPlan(rule: every10m, anchor: 0, due: due, now: 30 * Self.minute + 20_000, policy: .none, lateness: Self.minute)
        #expect(noneInGrace == TickPlan.expected(ticks: [30 * Self.minute], missed: 2, next: 40 * Self.minute))
    }

    @Test func catchingUpEverythingIsCapped() {
        let second = ScheduleRule.every(.seconds(1))
        let plan = TickPlan(rule: second, anchor: 0, due: 1000, now: 500_000, policy: .all, lateness: Self.minute)
        #expect(plan.ticks.count == TickPlan.maximumCatchUp)
        #expect(plan.ticks.first == 401_000 && plan.ticks.last == 500_000, "the newest ticks")
        #expect(plan.missed == 500 - TickPlan.maximumCatchUp)
        #expect(plan.next == 501_000)
    }

    @Test func cronTicksAreWalkedInTheirTimeZone() throws {
        let rule = try ScheduleRule.cron("0 */4 * * *", timeZone: "UTC")
        let base = Int64(Date(timeIntervalSince1970: 1_767_225_600).timeIntervalSince1970 * 1000) // 2026-01-01T00:00Z
        let hour: Int64 = 3_600_000
        let plan = TickPlan(rule: rule, anchor: 0, due: base, now: base + 9 * hour, policy: .all, lateness: Self.minute)
        #expect(plan == TickPlan.expected(ticks: [base, base + 4 * hour, base + 8 * hour], missed: 0, next: base + 12 * hour))
        let one = TickPlan(rule: rule, anchor: 0, due: base, now: base + 9 * hour, policy: .one, lateness: Self.minute)
        #expect(one == TickPlan.expected(ticks: [base + 8 * hour], missed: 2, next: base + 12 * hour))
    }

    @Test func aLongDowntimeOfAMinuteCronStopsCountingAtTheLimit() throws {
        let rule = try ScheduleRule.cron("* * * * *", timeZone: "Europe/Berlin")
        let base: Int64 = 1_767_225_600_000 // 2026-01-01T00:00Z
        let now = base + 24 * 3_600_000 + 30_000 // a day later: 1,441 ticks due
        let plan = TickPlan(rule: rule, anchor: 0, due: base, now: now, policy: .all, lateness: Self.minute)
        #expect(plan.ticks.count == TickPlan.maximumCatchUp)
        #expect(plan.missed == TickPlan.countLimit - TickPlan.maximumCatchUp)
        #expect(plan.next == now - 30_000 + Self.minute, "the schedule moves on to its first tick after now")
    }

    @Test func pastTheCountLimitTheNewestTicksAreStillTheOnesEnqueued() throws {
        let rule = try ScheduleRule.cron("* * * * *", timeZone: "Europe/Berlin")
        let base: Int64 = 1_767_225_600_000 // 2026-01-01T00:00Z
        let now = base + 24 * 3_600_000 + 30_000 // a day later: 1,441 ticks due
        let newest = now - 30_000
        #expect(TickPlan(rule: rule, anchor: 0, due: base, now: now, policy: .one, lateness: Self.minute).ticks == [newest])
        #expect(TickPlan(rule: rule, anchor: 0, due: base, now: now, policy: .none, lateness: Self.minute).ticks == [newest],
                "the newest tick is 30 s late: it fires")
        let all = TickPlan(rule: rule, anchor: 0, due: base, now: now, policy: .all, lateness: Self.minute)
        #expect(all.ticks == (0..<Int64(TickPlan.maximumCatchUp)).reversed().map { newest - $0 * Self.minute })

        // Ticks only from January to June, down until mid-December: the newest are the last minutes of June.
        let firstHalf = try ScheduleRule.cron("* * * 1-6 *", timeZone: "UTC")
        let lastOfJune: Int64 = 1_782_863_940_000 // 2026-06-30T23:59Z
        let december: Int64 = 1_797_292_800_000 // 2026-12-15T00:00Z
        let plan = TickPlan(rule: firstHalf, anchor: 0, due: base, now: december, policy: .all, lateness: Self.minute)
        #expect(plan.ticks == (0..<Int64(TickPlan.maximumCatchUp)).reversed().map { lastOfJune - $0 * Self.minute })
        #expect(plan.missed == TickPlan.countLimit - TickPlan.maximumCatchUp)
        #expect(plan.next == 1_798_761_600_000, "2027-01-01T00:00Z")

        // Just over the limit: the newest ticks join the ones walked before.
        let justOver = TickPlan(rule: rule, anchor: 0, due: base, now: base + Int64(TickPlan.countLimit + 5) * Self.minute, policy: .all, lateness: Self.minute)
        let last = base + Int64(TickPlan.countLimit + 5) * Self.minute
        #expect(justOver.ticks == (0..<Int64(TickPlan.maximumCatchUp)).reversed().map { last - $0 * Self.minute })
    }

    @Test func intervalsAreAnchoredOnTheCreationTime() {
        let rule = ScheduleRule.every(.seconds(4 * 3600))
        let created: Int64 = 1_000_123
        #expect(rule.nextFire(after: created, anchor: created) == created + 4 * 3_600_000)
        #expect(rule.nextFire(after: created + 4 * 3_600_000, anchor: created) == created + 8 * 3_600_000)
        #expect(rule.nextFire(after: created + 5 * 3_600_000, anchor: created) == created + 8 * 3_600_000)
    }

    @Test func badRulesAreRefused() {
        #expect(throws: JobQueueError.self) { try ScheduleRule.interval(.milliseconds(999)) }
        #expect(throws: JobQueueError.self) { try ScheduleRule.cron("0 3 * * *", timeZone: "Mars/Olympus_Mons") }
        #expect(throws: JobQueueError.self) { try NewSchedule.validateName("with space") }
        #expect(throws: JobQueueError.self) { try NewSchedule.validateName("") }
        #expect(throws: JobQueueError.self) { try NewSchedule.validateName(String(repeating: "a", count: 101)) }
    }
}

extension TickPlan {
    static func expected(ticks: [Int64], missed: Int, next: Int64?) -> TickPlan {
        var plan = TickPlan(rule: .every(.seconds(1)), anchor: 0, due: 1, now: 0, policy: .one, lateness: 0)
        plan.ticks = ticks
        plan.missed = missed
        plan.next = next
        return plan
    }
}
