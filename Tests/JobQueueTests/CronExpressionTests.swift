import Foundation
@testable import JobQueue
import Testing

/// The cron parser and fire-time computation on their own, in UTC and in a time zone with
/// daylight saving time (Europe/Berlin: clocks spring forward on 2026-03-29 at 02:00 to 03:00 and
/// fall back on 2026-10-25 at 03:00 to 02:00).
@Suite("Cron expressions") struct CronExpressionTests {
    static let utc = TimeZone(identifier: "UTC")!
    static let berlin = TimeZone(identifier: "Europe/Berlin")!

    static func instant(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)!
    }

    static func iso(_ date: Date?) -> String? {
        date.map { ISO8601DateFormatter().string(from: $0) }
    }

    /// The first `count` fire times after `start`.
    static func fires(_ expression: String, after start: String, in zone: TimeZone = utc, count: Int) throws -> [String] {
        let cron = try CronExpression(expression)
        var times: [String] = []
        var at = instant(start)
        for _ in 0..<count {
            guard let next = cron.nextFire(after: at, in: zone) else { break }
            times.append(iso(next)!)
            at = next
        }
        return times
    }

    @Test func fieldsAcceptNumbersRangesStepsListsAndNames() throws {
        let cron = try CronExpression("5,10-12,*/20 */4 1-10/3 jan,JUN-aug mon-fri")
        #expect(cron.minutes == [0, 5, 10, 11, 12, 20, 40])
        #expect(cron.hours == [0, 4, 8, 12, 16, 20])
        #expect(cron.daysOfMonth == [1, 4, 7, 10])
        #expect(cron.months == [1, 6, 7, 8])
        #expect(cron.daysOfWeek == [1, 2, 3, 4, 5])
        #expect(try CronExpression("0 0 * * 7").daysOfWeek == [0], "7 is Sunday too")
        #expect(try CronExpression("0 0 * * 5-7").daysOfWeek == [5, 6, 0])
        #expect(try CronExpression("30/10 * * * *").minutes == [30, 40, 50], "a/n runs from a to the field's end")
        #expect(try CronExpression("* * * * *").minutes.count == 60)
        #expect(try CronExpression("@hourly").minutes == [0])
        let daily = try CronExpression("@daily")
        #expect(daily.minutes == [0] && daily.hours == [0] && daily.daysOfMonth.count == 31 && daily.daysOfWeek.count == 7)
        #expect(try CronExpression("@weekly").daysOfWeek == [0])
        #expect(try CronExpression("@monthly").daysOfMonth == [1])
        #expect(try CronExpression("@yearly").months == [1])
        #expect(try CronExpression("  0   3 * * *  ").hours == [3], "spaces between and around fields are fine")
    }

    @Test(arguments: [
        ("0 3 * *", "5 fields"),
        ("0 3 * * * *", "this one has 6"),
        ("60 * * * *", "60 is out of range for the minute field"),
        ("* 24 * * *", "24 is out of range for the hour field"),
        ("* * 0 * *", "0 is out of range for the day of month field"),
        ("* * * 13 *", "13 is out of range for the month field"),
        ("* * * * 8", "8 is out of range for the day of week field"),
        ("10-5 * * * *", "runs backwards"),
        ("*/0 * * * *", "step"),
        ("*/x * * * *", "step"),
        ("1/2/3 * * * *", "more than one '/'"),
        ("1,,2 * * * *", "empty list item"),
        ("* * * foo *", "'foo' in the month field is not a number or a name"),
        ("* * * * funday", "not a number or a name (sun…sat)"),
        ("-5 * * * *", "is not a number"),
        ("0 0 30 2 *", "never occurs"),
        ("0 0 31 4,6,9,11 *", "never occurs"),
        ("", "5 fields"),
    ])
    func badExpressionsAreRefusedNamingTheProblem(_ expression: String, _ expected: String) {
        do {
            _ = try CronExpression(expression)
            Issue.record("'\(expression)' was accepted")
        } catch let error as JobQueueError {
            #expect(error.code == .invalidSchedule)
            #expect(error.message.contains(expected), "\(error.message)")
            #expect(error.message.contains("invalid cron expression '\(expression)'"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func everyFourHoursFiresOnTheHourInUTC() throws {
        #expect(try Self.fires("0 */4 * * *", after: "2026-01-01T05:30:00Z", count: 4)
            == ["2026-01-01T08:00:00Z", "2026-01-01T12:00:00Z", "2026-01-01T16:00:00Z", "2026-01-01T20:00:00Z"])
        #expect(try Self.fires("0 */4 * * *", after: "2026-01-01T08:00:00Z", count: 1) == ["2026-01-01T12:00:00Z"], "strictly after")
        #expect(try Self.fires("*/15 * * * *", after: "2026-01-01T23:50:00Z", count: 2) == ["2026-01-02T00:00:00Z", "2026-01-02T00:15:00Z"])
    }

    @Test func dayOfMonthAndDayOfWeekMatchEitherWhenBothAreRestricted() throws {
        // 2026-02-01 is a Sunday. "1st of the month or any Friday".
        #expect(try Self.fires("0 12 1 * fri", after: "2026-01-31T13:00:00Z", count: 3)
            == ["2026-02-01T12:00:00Z", "2026-02-06T12:00:00Z", "2026-02-13T12:00:00Z"])
        // With a star day of month, only the day of week counts (Fridays only).
        #expect(try Self.fires("0 12 * * fri", after: "2026-01-31T13:00:00Z", count: 2) == ["2026-02-06T12:00:00Z", "2026-02-13T12:00:00Z"])
        // A day-of-month field starting with * is a star for the rule: both must match.
        #expect(try Self.fires("0 12 */2 * fri", after: "2026-01-31T13:00:00Z", count: 2) == ["2026-02-13T12:00:00Z", "2026-02-27T12:00:00Z"])
    }

    @Test func monthNamesAndLeapDays() throws {
        #expect(try Self.fires("0 0 29 feb *", after: "2026-01-01T00:00:00Z", count: 2) == ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"])
        #expect(try Self.fires("0 0 31 * *", after: "2026-01-31T00:00:00Z", count: 2) == ["2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z"])
        #expect(try Self.fires("0 9 * dec sun", after: "2026-11-30T00:00:00Z", count: 2) == ["2026-12-06T09:00:00Z", "2026-12-13T09:00:00Z"])
    }

    @Test func wallClockTimesAreReadInTheTimeZone() throws {
        // Winter: Berlin is UTC+1; summer: UTC+2.
        #expect(try Self.fires("0 3 * * *", after: "2026-01-10T00:00:00Z", in: Self.berlin, count: 1) == ["2026-01-10T02:00:00Z"])
        #expect(try Self.fires("0 3 * * *", after: "2026-07-10T00:00:00Z", in: Self.berlin, count: 1) == ["2026-07-10T01:00:00Z"])
    }

    @Test func aWallClockTimeSkippedBySpringForwardDoesNotFireThatDay() throws {
        // 2026-03-29 02:30 does not exist in Berlin.
        #expect(try Self.fires("30 2 * * *", after: "2026-03-28T00:00:00Z", in: Self.berlin, count: 3)
            == ["2026-03-28T01:30:00Z", "2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z"])
        // Every 30 minutes: 01:30 CET, then straight to 03:00 CEST.
        #expect(try Self.fires("*/30 * * * *", after: "2026-03-29T00:15:00Z", in: Self.berlin, count: 3)
            == ["2026-03-29T00:30:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:30:00Z"])
        #expect(try Self.fires("0 */4 * * *", after: "2026-03-28T22:00:00Z", in: Self.berlin, count: 3)
            == ["2026-03-28T23:00:00Z", "2026-03-29T02:00:00Z", "2026-03-29T06:00:00Z"], "00:00 CET, 04:00 CEST, 08:00 CEST")
    }

    @Test func aWallClockTimeRepeatedByFallBackFiresOnce() throws {
        // 2026-10-25 02:30 happens twice in Berlin: 00:30Z (CEST) and 01:30Z (CET).
        #expect(try Self.fires("30 2 * * *", after: "2026-10-24T12:00:00Z", in: Self.berlin, count: 2)
            == ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"])
        // Hourly: 02:00 CEST fires; 02:00 CET (the repeat) does not; 03:00 CET does.
        #expect(try Self.fires("0 * * * *", after: "2026-10-24T23:30:00Z", in: Self.berlin, count: 3)
            == ["2026-10-25T00:00:00Z", "2026-10-25T02:00:00Z", "2026-10-25T03:00:00Z"])
        // Asked from inside the repeated hour (second pass), the repeated times are not fired again.
        #expect(try Self.fires("45 2 * * *", after: "2026-10-25T01:10:00Z", in: Self.berlin, count: 1) == ["2026-10-26T01:45:00Z"])
        // Every 15 minutes through the repeated hour: each wall-clock time once.
        let quarter = try Self.fires("*/15 * * * *", after: "2026-10-24T23:50:00Z", in: Self.berlin, count: 6)
        #expect(quarter == ["2026-10-25T00:00:00Z", "2026-10-25T00:15:00Z", "2026-10-25T00:30:00Z", "2026-10-25T00:45:00Z",
                            "2026-10-25T02:00:00Z", "2026-10-25T02:15:00Z"])
    }

    @Test func halfHourDaylightSavingTimeIsHandledToo() throws {
        // Lord Howe Island moves its clocks by 30 minutes: back from 02:00 (+11) to 01:30 (+10:30) on
        // 2026-04-05, forward from 02:00 (+10:30) to 02:30 (+11) on 2026-10-04.
        let lordHowe = try #require(TimeZone(identifier: "Australia/Lord_Howe"))
        #expect(try Self.fires("45 1 * * *", after: "2026-04-04T00:00:00Z", in: lordHowe, count: 2)
            == ["2026-04-04T14:45:00Z", "2026-04-05T15:15:00Z"], "01:45 happens twice on 5 April: fired once, the first time")
        #expect(try Self.fires("15 2 * * *", after: "2026-10-02T00:00:00Z", in: lordHowe, count: 2)
            == ["2026-10-02T15:45:00Z", "2026-10-04T15:15:00Z"], "02:15 does not exist on 4 October")
    }

    @Test func aDateIsItsDayOfTheWeek() {
        #expect(CivilDate(year: 1970, month: 1, day: 1).weekday == 4)
        #expect(CivilDate(year: 2026, month: 12, day: 4).weekday == 5)
        #expect(CivilDate(year: 2000, month: 2, day: 29).adding(days: 1) == CivilDate(year: 2000, month: 3, day: 1))
        #expect(CivilDate(year: 1969, month: 12, day: 31).daysSinceEpoch == -1)
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(CivilDate(daysSinceEpoch: days).daysSinceEpoch == days)
        }
    }
}
