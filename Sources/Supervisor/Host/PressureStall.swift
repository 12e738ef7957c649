/// One line of a pressure stall information (PSI) file: the share of wall time in which tasks stalled.
public struct PressureAverages: Sendable, Equatable {
    /// Percentage of the last 10 seconds.
    public var avg10: Double
    /// Percentage of the last 60 seconds.
    public var avg60: Double
    /// Percentage of the last 300 seconds.
    public var avg300: Double

    /// Creates averages from percentages.
    public init(avg10: Double, avg60: Double, avg300: Double) {
        self.avg10 = avg10
        self.avg60 = avg60
        self.avg300 = avg300
    }
}

/// The contents of one `/proc/pressure/<resource>` file.
public struct PressureStall: Sendable, Equatable {
    /// Time in which at least one task stalled on the resource.
    public var some: PressureAverages
    /// Time in which all non-idle tasks stalled at once; nil where the kernel does not report it.
    public var full: PressureAverages?

    /// Creates a stall record.
    public init(some: PressureAverages, full: PressureAverages?) {
        self.some = some
        self.full = full
    }

    /// Parses a PSI file (`some avg10=1.00 avg60=0.50 avg300=0.10 total=123`); nil when malformed.
    init?(procPressure text: String) {
        var some: PressureAverages?
        var full: PressureAverages?
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard let kind = fields.first else { continue }
            var values: [Substring: Double] = [:]
            for field in fields.dropFirst() {
                let pair = field.split(separator: "=", maxSplits: 1)
                if pair.count == 2, let value = Double(pair[1]) { values[pair[0]] = value }
            }
            guard let avg10 = values["avg10"], let avg60 = values["avg60"], let avg300 = values["avg300"] else {
                return nil
            }
            let averages = PressureAverages(avg10: avg10, avg60: avg60, avg300: avg300)
            switch kind {
            case "some": some = averages
            case "full": full = averages
            default: return nil
            }
        }
        guard let some else { return nil }
        self.init(some: some, full: full)
    }
}

/// Pressure stall information for the three resources the kernel tracks.
public struct HostPressure: Sendable, Equatable {
    /// CPU pressure; nil when its file was unreadable or malformed.
    public var cpu: PressureStall?
    /// Memory pressure; nil when its file was unreadable or malformed.
    public var memory: PressureStall?
    /// I/O pressure; nil when its file was unreadable or malformed.
    public var io: PressureStall?

    /// Creates a pressure record.
    public init(cpu: PressureStall?, memory: PressureStall?, io: PressureStall?) {
        self.cpu = cpu
        self.memory = memory
        self.io = io
    }
}
