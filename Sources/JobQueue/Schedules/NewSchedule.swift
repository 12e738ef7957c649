/// A recurring schedule to add to a queue: when it fires, and the job each tick enqueues.
public struct NewSchedule: Sendable {
    /// The schedule's name, unique in its queue: 1 to 100 characters from `A-Z a-z 0-9 . _ -`.
    public var name: String
    /// When it fires.
    public var rule: ScheduleRule
    /// The payload of each job, as JSON text (any JSON value).
    public var payload: String
    /// The type of each job. Default: `"default"`.
    public var type: String = "default"
    /// Starts allowed per job; `nil` uses the queue's ``Queue/Configuration/defaultMaxAttempts``.
    public var maxAttempts: Int?
    /// What happens to ticks missed while no scheduler ran. Default: ``CatchUpPolicy/one``.
    public var catchUp: CatchUpPolicy = .one
    /// Skip a tick (and count it) while the schedule's previous job is waiting, delayed or
    /// running, so that slow jobs never pile up. Default: false.
    public var skipIfRunning: Bool = false

    /// A schedule with the given rule and payload and every other default.
    public init(
        name: String, rule: ScheduleRule, payload: String, type: String = "default", maxAttempts: Int? = nil,
        catchUp: CatchUpPolicy = .one, skipIfRunning: Bool = false
    ) {
        self.name = name
        self.rule = rule
        self.payload = payload
        self.type = type
        self.maxAttempts = maxAttempts
        self.catchUp = catchUp
        self.skipIfRunning = skipIfRunning
    }

    /// Checks a schedule name: 1 to 100 characters from `A-Z a-z 0-9 . _ -`.
    /// - Throws: ``JobQueueError`` `.invalidSchedule`.
    public static func validateName(_ name: String) throws {
        let allowed = name.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "-": return true
            default: return false
            }
        }
        guard !name.isEmpty, name.utf8.count <= 100, allowed else {
            throw JobQueueError(code: .invalidSchedule, message: "invalid schedule name '\(name.prefix(100))': use 1 to 100 letters, digits, '.', '_' and '-'")
        }
    }
}
