/// Parsers for the number of online CPUs, from the three places Linux reports it.
enum CPUCount {
    /// Counts CPUs in a kernel CPU list such as `/sys/devices/system/cpu/online` (`"0-3,6,8-9"`).
    static func parse(cpuList text: String) -> Int? {
        let trimmed = text.trimmingWhitespace
        guard !trimmed.isEmpty else { return nil }
        var count = 0
        for range in trimmed.split(separator: ",") {
            let bounds = range.split(separator: "-", omittingEmptySubsequences: false)
            switch bounds.count {
            case 1:
                guard Int(bounds[0]) != nil else { return nil }
                count += 1
            case 2:
                guard let low = Int(bounds[0]), let high = Int(bounds[1]), low <= high else { return nil }
                count += high - low + 1
            default:
                return nil
            }
        }
        return count
    }

    /// Counts the `processor : N` entries of `/proc/cpuinfo`.
    static func parse(cpuinfo text: String) -> Int? {
        let count = text.split(separator: "\n").filter { line in
            line.split(separator: ":", maxSplits: 1).first?.trimmingWhitespace == "processor"
        }.count
        return count > 0 ? count : nil
    }

    /// Counts the per-CPU `cpuN` lines of `/proc/stat`.
    static func parse(procStat text: String) -> Int? {
        let count = text.split(separator: "\n").filter { line in
            line.hasPrefix("cpu") && line.dropFirst(3).first?.isNumber == true
        }.count
        return count > 0 ? count : nil
    }
}

extension StringProtocol {
    /// The text without leading and trailing whitespace and newlines.
    var trimmingWhitespace: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
