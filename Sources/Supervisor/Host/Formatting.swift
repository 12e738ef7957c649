import Foundation

/// A byte count printed in binary units for people (`216 MiB`, `3.8 GiB`).
struct ByteCount: CustomStringConvertible, Sendable {
    /// The number of bytes.
    var bytes: UInt64

    init(_ bytes: UInt64) { self.bytes = bytes }

    var description: String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        return "\(value.fixed(value < 100 ? 1 : 0)) \(units[unit])"
    }
}

extension Double {
    /// The number with exactly `decimals` digits after the point (`7.61`, `45.5`).
    func fixed(_ decimals: Int) -> String {
        String(format: "%.\(decimals)f", self)
    }
}

/// A length of time in the largest unit that keeps it readable (`40.4 hours`, `12 minutes`).
struct ElapsedTime: CustomStringConvertible, Sendable {
    /// The length in seconds.
    var seconds: Double

    init(seconds: Double) { self.seconds = seconds }

    var description: String {
        switch seconds {
        case ..<10: return "\(seconds.fixed(1)) seconds"
        case ..<120: return "\(Int(seconds.rounded())) seconds"
        case ..<7_200: return "\(Int((seconds / 60).rounded())) minutes"
        case ..<172_800: return "\((seconds / 3_600).fixed(1)) hours"
        default: return "\((seconds / 86_400).fixed(1)) days"
        }
    }
}
