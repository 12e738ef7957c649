/// Memory and swap totals, as read from `/proc/meminfo`, in bytes.
public struct MemoryInfo: Sendable, Equatable {
    /// Physical memory (`MemTotal`).
    public var totalBytes: UInt64
    /// Memory that can be given to new work without swapping (`MemAvailable`).
    public var availableBytes: UInt64
    /// Configured swap (`SwapTotal`); 0 when the host has no swap.
    public var swapTotalBytes: UInt64
    /// Unused swap (`SwapFree`).
    public var swapFreeBytes: UInt64

    /// Creates memory figures from byte counts.
    public init(totalBytes: UInt64, availableBytes: UInt64, swapTotalBytes: UInt64, swapFreeBytes: UInt64) {
        self.totalBytes = totalBytes
        self.availableBytes = availableBytes
        self.swapTotalBytes = swapTotalBytes
        self.swapFreeBytes = swapFreeBytes
    }

    /// Swap in use.
    public var swapUsedBytes: UInt64 { swapTotalBytes > swapFreeBytes ? swapTotalBytes - swapFreeBytes : 0 }

    /// Available memory as a fraction of the total (0...1).
    public var availableFraction: Double {
        totalBytes == 0 ? 0 : Double(availableBytes) / Double(totalBytes)
    }

    /// Parses `/proc/meminfo`; nil unless MemTotal, MemAvailable, SwapTotal and SwapFree are all present.
    init?(procMeminfo text: String) {
        var kibibytes: [Substring: UInt64] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let valueFields = line[line.index(after: colon)...].split(whereSeparator: \.isWhitespace)
            guard let first = valueFields.first, let value = UInt64(first) else { continue }
            kibibytes[line[..<colon]] = value
        }
        guard let total = kibibytes["MemTotal"], let available = kibibytes["MemAvailable"],
              let swapTotal = kibibytes["SwapTotal"], let swapFree = kibibytes["SwapFree"]
        else { return nil }
        self.init(
            totalBytes: total * 1024, availableBytes: available * 1024,
            swapTotalBytes: swapTotal * 1024, swapFreeBytes: swapFree * 1024
        )
    }
}
