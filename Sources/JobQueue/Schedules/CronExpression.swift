/// A classic five-field cron expression: minute, hour, day of month, month, day of week.
///
/// Each field is `*`, a number or name, a range `a-b`, a step `*/n`, `a-b/n` or `a/n` (from `a`
/// to the field's end), or a comma-separated list of these. Months may be written `jan`–`dec` and
/// days of the week `sun`–`sat` (any case); day of week 0 and 7 are both Sunday. The macros
/// `@yearly` (`@annually`), `@monthly`, `@weekly`, `@daily` (`@midnight`) and `@hourly` stand for
/// their usual expansions.
///
/// Day of month and day of week follow the classic cron rule: when both are restricted (neither
/// field starts with `*`), a day matches when *either* matches; otherwise both must (a `*` field
/// matches every day). Fire times in a time zone are computed by ``nextFire(after:in:)``.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written (trimmed).
    public let text: String
    /// Minutes 0–59 that match.
    public let minutes: Set<Int>
    /// Hours 0–23 that match.
    public let hours: Set<Int>
    /// Days of the month 1–31 that match.
    public let daysOfMonth: Set<Int>
    /// Months 1–12 that match.
    public let months: Set<Int>
    /// Days of the week 0–6 (Sunday is 0) that match.
    public let daysOfWeek: Set<Int>
    /// Whether the day-of-month field starts with `*`.
    public let dayOfMonthIsStar: Bool
    /// Whether the day-of-week field starts with `*`.
    public let dayOfWeekIsStar: Bool

    public var description: String { text }

    private static let macros = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]
    private static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    private static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// Parses an expression.
    /// - Throws: ``JobQueueError`` `.invalidSchedule`, naming the field and what is wrong with it.
    public init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let expanded = Self.macros[trimmed.lowercased()] ?? trimmed
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw Self.invalid(text, "a cron expression has 5 fields (minute hour day-of-month month day-of-week), this one has \(fields.count)")
        }
        self.text = trimmed
        minutes = try Self.field(fields[0], name: "minute", range: 0...59, names: [], expression: text)
        hours = try Self.field(fields[1], name: "hour", range: 0...23, names: [], expression: text)
        daysOfMonth = try Self.field(fields[2], name: "day of month", range: 1...31, names: [], expression: text)
        months = try Self.field(fields[3], name: "month", range: 1...12, names: Self.monthNames, expression: text)
        let weekdays = try Self.field(fields[4], name: "day of week", range: 0...7, names: Self.dayNames, expression: text)
        daysOfWeek = Set(weekdays.map { $0 % 7 })
        dayOfMonthIsStar = fields[2].hasPrefix("*")
        dayOfWeekIsStar = fields[4].hasPrefix("*")
        if dayOfWeekIsStar {
            let longest = months.map { Self.longestMonth[$0 - 1] }.max() ?? 0
            guard let first = daysOfMonth.min(), first <= longest else {
                throw Self.invalid(text, "day of month \(daysOfMonth.min() ?? 0) never occurs in the months given: the schedule would never fire")
            }
        }
    }

    /// Whether a calendar day matches: month, and day of month / day of week by the cron rule.
    /// - Parameters:
    ///   - weekday: 0 (Sunday) to 6.
    func matchesDay(month: Int, day: Int, weekday: Int) -> Bool {
        guard months.contains(month) else { return false }
        let dayOfMonth = daysOfMonth.contains(day)
        let dayOfWeek = daysOfWeek.contains(weekday)
        if dayOfMonthIsStar || dayOfWeekIsStar { return dayOfMonth && dayOfWeek }
        return dayOfMonth || dayOfWeek
    }

    private static let longestMonth = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

    private static func field(_ text: String, name: String, range: ClosedRange<Int>, names: [String], expression: String) throws -> Set<Int> {
        var values = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard !part.isEmpty else { throw invalid(expression, "the \(name) field '\(text)' has an empty list item") }
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard pieces.count <= 2 else { throw invalid(expression, "the \(name) field item '\(part)' has more than one '/'") }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed >= 1, parsed <= range.upperBound else {
                    throw invalid(expression, "the step in the \(name) field item '\(part)' must be a number from 1 to \(range.upperBound)")
                }
                step = parsed
            }
            let bounds: ClosedRange<Int>
            if pieces[0] == "*" {
                bounds = range
            } else if let dash = pieces[0].firstIndex(of: "-") {
                let low = try value(String(pieces[0][..<dash]), name: name, range: range, names: names, expression: expression)
                let high = try value(String(pieces[0][pieces[0].index(after: dash)...]), name: name, range: range, names: names, expression: expression)
                guard low <= high else { throw invalid(expression, "the \(name) range '\(pieces[0])' runs backwards") }
                bounds = low...high
            } else {
                let start = try value(pieces[0], name: name, range: range, names: names, expression: expression)
                bounds = start...(pieces.count == 2 ? range.upperBound : start)
            }
            values.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return values
    }

    private static func value(_ text: String, name: String, range: ClosedRange<Int>, names: [String], expression: String) throws -> Int {
        if let index = names.firstIndex(of: text.lowercased()) { return index + (range.lowerBound == 0 ? 0 : 1) }
        guard let number = Int(text), text.allSatisfy(\.isASCII) else {
            let known = names.isEmpty ? "" : " or a name (\(names.first!)…\(names.last!))"
            throw invalid(expression, "'\(text)' in the \(name) field is not a number\(known)")
        }
        guard range.contains(number) else {
            throw invalid(expression, "\(number) is out of range for the \(name) field (\(range.lowerBound)–\(range.upperBound))")
        }
        return number
    }

    private static func invalid(_ expression: String, _ reason: String) -> JobQueueError {
        JobQueueError(code: .invalidSchedule, message: "invalid cron expression '\(expression)': \(reason)")
    }
}
