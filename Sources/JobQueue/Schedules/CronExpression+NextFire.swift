import Foundation

extension CronExpression {
    /// How many days ahead ``nextFire(after:in:)`` looks: nine years, enough for any 29 February
    /// (even across a century year that is not a leap year).
    static let searchDays = 366 * 9

    /// The first instant strictly after `instant` whose wall-clock time in `timeZone` matches.
    ///
    /// Daylight saving time: a wall-clock time that does not exist on a day (skipped when clocks
    /// spring forward) does not fire that day; a wall-clock time that occurs twice (when clocks fall
    /// back) fires once, at its first occurrence.
    /// - Returns: the instant, or `nil` when none is found within ``searchDays`` days.
    public func nextFire(after instant: Date, in timeZone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let start = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
        let firstDay = CivilDate(year: start.year!, month: start.month!, day: start.day!)
        let startMinute = start.hour! * 60 + start.minute!
        var date = firstDay
        let sortedHours = hours.sorted()
        let sortedMinutes = minutes.sorted()
        for _ in 0..<Self.searchDays {
            defer { date = date.adding(days: 1) }
            guard matchesDay(month: date.month, day: date.day, weekday: date.weekday) else { continue }
            // On the first day, a wall-clock time before the instant's cannot fire after it: its
            // first occurrence comes before the first occurrence of the instant's wall-clock time.
            let earliest = date == firstDay ? startMinute : 0
            for hour in sortedHours where hour * 60 + 59 >= earliest {
                for minute in sortedMinutes where hour * 60 + minute >= earliest {
                    guard let fire = Self.firstInstant(of: date, hour: hour, minute: minute, calendar: calendar), fire > instant else { continue }
                    return fire
                }
            }
        }
        return nil
    }

    /// The earliest instant whose wall-clock time in the calendar's time zone is `date` at
    /// `hour:minute`, or `nil` when that wall-clock time does not exist (skipped by a DST change).
    static func firstInstant(of date: CivilDate, hour: Int, minute: Int, calendar: Calendar) -> Date? {
        let wanted = DateComponents(year: date.year, month: date.month, day: date.day, hour: hour, minute: minute)
        guard let found = calendar.date(from: wanted), sameWallClock(found, wanted, calendar) else { return nil }
        // When the clocks fall back the wall-clock time occurs twice; keep the earlier occurrence,
        // whichever one the calendar returned. Only an offset change in the two hours before can
        // make one.
        let zone = calendar.timeZone
        guard zone.secondsFromGMT(for: found.addingTimeInterval(-7200)) != zone.secondsFromGMT(for: found) else { return found }
        let earlier = [7200.0, 3600, 1800].map { found.addingTimeInterval(-$0) }.filter { sameWallClock($0, wanted, calendar) }
        return earlier.min() ?? found
    }

    private static func sameWallClock(_ instant: Date, _ wanted: DateComponents, _ calendar: Calendar) -> Bool {
        let got = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
        return got.year == wanted.year && got.month == wanted.month && got.day == wanted.day && got.hour == wanted.hour
            && got.minute == wanted.minute && got.second == 0
    }
}

/// A day of the proleptic Gregorian calendar, without a time zone: what cron's day fields match.
struct CivilDate: Hashable, Sendable {
    var year: Int
    var month: Int
    var day: Int

    /// Days since 1970-01-01 (negative before).
    var daysSinceEpoch: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146097 + dayOfEra - 719468
    }

    /// 0 (Sunday) to 6.
    var weekday: Int { ((daysSinceEpoch % 7) + 7 + 4) % 7 }

    init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    init(daysSinceEpoch days: Int) {
        // Howard Hinnant's civil_from_days.
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let dayOfEra = z - era * 146097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    func adding(days: Int) -> CivilDate { CivilDate(daysSinceEpoch: daysSinceEpoch + days) }
}
