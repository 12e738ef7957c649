import Foundation
import HumanUnits

/// How many finished jobs of one kind a queue keeps, and for how long: the older and the
/// surplus ones (oldest first) are deleted, all their data with them, as new ones finish.
public struct RetentionLimit: Sendable, Codable, Equatable, CustomStringConvertible {
    /// The longest a finished job is kept, in ms.
    public var maxAgeMs: Int64
    /// The most finished jobs kept.
    public var maxCount: Int

    /// The most jobs a limit may keep: ten million.
    public static let countRange = 1...10_000_000

    /// Creates a limit.
    /// - Throws: ``JobQueueError`` `.invalidSetting` for an age under 1 s or a count outside
    ///   ``countRange``.
    public init(maxAge: Duration, maxCount: Int) throws {
        guard maxAge >= .seconds(1) else {
            throw JobQueueError(code: .invalidSetting, message: "a retention age must be at least 1s")
        }
        guard Self.countRange.contains(maxCount) else {
            throw JobQueueError(code: .invalidSetting, message: "a retention count must be from 1 to 10000000, not \(maxCount)")
        }
        maxAgeMs = Int64(maxAge.milliseconds)
        self.maxCount = maxCount
    }

    init(maxAgeMs: Int64, maxCount: Int) {
        self.maxAgeMs = maxAgeMs
        self.maxCount = maxCount
    }

    /// Reads `AGE/COUNT`, e.g. `24h/10000` (a day, at most ten thousand jobs).
    /// - Throws: ``JobQueueError`` `.invalidSetting` naming what is wrong.
    public static func parse(_ text: String) throws -> RetentionLimit {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, let age = try? DurationText.parse(parts[0]), let count = Int(parts[1]) else {
            throw JobQueueError(code: .invalidSetting, message: "'\(text)' is not a retention: write AGE/COUNT, e.g. 24h/10000")
        }
        return try RetentionLimit(maxAge: age, maxCount: count)
    }

    /// `AGE/COUNT`, as ``parse(_:)`` reads it.
    public var description: String {
        "\(DurationText.format(.milliseconds(maxAgeMs)).replacingOccurrences(of: " ", with: ""))/\(maxCount)"
    }
}
