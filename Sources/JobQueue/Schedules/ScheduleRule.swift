import Foundation
import HumanUnits

/// When a schedule fires: at a fixed interval, or at the times a cron expression matches.
public enum ScheduleRule: Sendable, Hashable, CustomStringConvertible {
    /// Every `interval` (at least one second, whole milliseconds), at the schedule's anchor (its
    /// creation time) plus whole multiples of it.
    case every(Duration)
    /// When the expression matches the wall-clock time in the time zone.
    case cron(CronExpression, TimeZone)

    /// The shortest interval accepted.
    public static let minimumInterval: Duration = .seconds(1)

    /// `every 4h`, or `cron 0 */4 * * * (Europe/Berlin)`.
    public var description: String {
        switch self {
        case .every(let interval): return "every \(DurationText.format(interval))"
        case .cron(let expression, let zone): return "cron \(expression.text) (\(Self.name(of: zone)))"
        }
    }

    /// A rule from an interval.
    /// - Throws: ``JobQueueError`` `.invalidSchedule` for an interval under a second.
    public static func interval(_ interval: Duration) throws -> ScheduleRule {
        guard interval >= minimumInterval else {
            throw JobQueueError(code: .invalidSchedule, message: "the interval must be at least 1s, not \(DurationText.format(interval))")
        }
        return .every(interval)
    }

    /// A rule from a cron expression and a time zone name (`UTC` when `nil`).
    /// - Throws: ``JobQueueError`` `.invalidSchedule` for a bad expression or an unknown time zone.
    public static func cron(_ expression: String, timeZone name: String? = nil) throws -> ScheduleRule {
        let parsed = try CronExpression(expression)
        return .cron(parsed, try zone(name ?? "UTC"))
    }

    /// A time zone from its IANA name (`Europe/Berlin`, `UTC`).
    /// - Throws: ``JobQueueError`` `.invalidSchedule` when no such zone is known.
    public static func zone(_ name: String) throws -> TimeZone {
        guard !name.isEmpty, let zone = TimeZone(identifier: name) else {
            throw JobQueueError(code: .invalidSchedule, message: "unknown time zone '\(name)': give an IANA name such as UTC or Europe/Berlin")
        }
        return zone
    }

    /// A time zone's IANA name; `UTC` for the zone some platforms name `GMT`.
    public static func name(of zone: TimeZone) -> String {
        zone.identifier == "GMT" ? "UTC" : zone.identifier
    }

    /// The first fire time strictly after `time`, in ms since the epoch; `anchor` is where an
    /// interval's ticks start (the anchor itself is not a tick). `nil` when a cron expression
    /// matches no time within ``CronExpression/searchDays``.
    public func nextFire(after time: Int64, anchor: Int64) -> Int64? {
        switch self {
        case .every(let interval):
            let step = max(1, interval.milliseconds)
            guard time >= anchor else { return anchor + step }
            return anchor + ((time - anchor) / step + 1) * step
        case .cron(let expression, let zone):
            let after = Date(timeIntervalSince1970: Double(time) / 1000)
            return expression.nextFire(after: after, in: zone).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
        }
    }

    /// How the rule is stored in a schedule's hash: kind (`every` or `cron`), value (ms or the
    /// expression) and time zone (`""` for intervals).
    var stored: (kind: String, value: String, zone: String) {
        switch self {
        case .every(let interval): return ("every", String(interval.milliseconds), "")
        case .cron(let expression, let zone): return ("cron", expression.text, Self.name(of: zone))
        }
    }

    /// Reads a stored rule back.
    init(kind: String, value: String, zone: String) throws {
        switch kind {
        case "every":
            guard let milliseconds = Int64(value), milliseconds > 0 else {
                throw JobQueueError(code: .invalidSchedule, message: "stored interval '\(value)' is not a number of ms")
            }
            self = .every(.milliseconds(milliseconds))
        case "cron":
            self = try .cron(value, timeZone: zone)
        default:
            throw JobQueueError(code: .invalidSchedule, message: "stored rule kind '\(kind)' is unknown to this version")
        }
    }
}
