/// The kernel's load averages, as read from `/proc/loadavg`.
///
/// Linux counts both runnable tasks and tasks in uninterruptible sleep (D state, usually
/// waiting for disk or network I/O), so a load far above the CPU count means either CPU
/// contention or I/O stalls.
public struct LoadAverage: Sendable, Equatable {
    /// The 1-minute exponentially damped average.
    public var oneMinute: Double
    /// The 5-minute average.
    public var fiveMinutes: Double
    /// The 15-minute average.
    public var fifteenMinutes: Double

    /// Creates a load average from its three values.
    public init(oneMinute: Double, fiveMinutes: Double, fifteenMinutes: Double) {
        self.oneMinute = oneMinute
        self.fiveMinutes = fiveMinutes
        self.fifteenMinutes = fifteenMinutes
    }

    /// The largest of the three averages.
    public var highest: Double { max(oneMinute, fiveMinutes, fifteenMinutes) }

    /// Parses the text of `/proc/loadavg` (`"0.74 0.36 0.16 1/85 5238"`); nil when malformed.
    init?(procLoadavg text: String) {
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard fields.count >= 3,
              let one = Double(fields[0]), let five = Double(fields[1]), let fifteen = Double(fields[2]),
              one >= 0, five >= 0, fifteen >= 0
        else { return nil }
        self.init(oneMinute: one, fiveMinutes: five, fifteenMinutes: fifteen)
    }
}
