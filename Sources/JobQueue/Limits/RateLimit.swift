import HumanUnits

/// A token-bucket rate: `count` tokens per `period`, holding at most `burst`.
///
/// Written `N/s`, `N/m`, `N/h` or `N/<duration>` (e.g. `10/m`, `5/30s`).
public struct RateLimit: Sendable, Codable, Equatable, CustomStringConvertible {
    /// Tokens added per period.
    public var count: Int
    /// The period, in milliseconds.
    public var periodMilliseconds: Int64
    /// The most tokens the bucket holds: how many jobs may start at once after a quiet spell.
    public var burst: Int

    /// Creates a rate. Default burst: 1 (strictly paced).
    public init(count: Int, period: Duration, burst: Int = 1) {
        self.count = count
        self.periodMilliseconds = period.milliseconds
        self.burst = burst
    }

    /// Parses `N/s`, `N/m`, `N/h`, `N/<duration>`.
    /// - Throws: ``JobQueueError`` `.invalidJob` with an example of the form.
    public static func parse(_ text: String, burst: Int = 1) throws -> RateLimit {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        let units: [String: Duration] = ["s": .seconds(1), "sec": .seconds(1), "m": .seconds(60), "min": .seconds(60), "h": .seconds(3600)]
        guard parts.count == 2, let count = Int(parts[0]), count > 0,
              let period = units[parts[1]] ?? (try? DurationText.parse(parts[1])), period >= .milliseconds(1)
        else {
            throw JobQueueError(code: .invalidJob, message: "'\(text)' is not a rate: write e.g. 20/s, 10/m, 100/h or 5/30s")
        }
        guard burst >= 1 else { throw JobQueueError(code: .invalidJob, message: "burst must be at least 1") }
        return RateLimit(count: count, period: period, burst: burst)
    }

    public var description: String {
        "\(count)/\(DurationText.format(.milliseconds(periodMilliseconds))) burst \(burst)"
    }
}
