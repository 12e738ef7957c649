/// Space on the filesystem that holds a path, as `df -P -B1` reports it.
public struct DiskUsage: Sendable, Equatable {
    /// The path that was asked about (for example `/` or Redis's data directory).
    public var path: String
    /// The device or source of the filesystem (`/dev/vda1`).
    public var filesystem: String
    /// Where the filesystem is mounted.
    public var mountPoint: String
    /// Filesystem size in bytes.
    public var totalBytes: UInt64
    /// Bytes in use.
    public var usedBytes: UInt64
    /// Bytes available to unprivileged users.
    public var availableBytes: UInt64

    /// Creates a usage record.
    public init(
        path: String, filesystem: String, mountPoint: String,
        totalBytes: UInt64, usedBytes: UInt64, availableBytes: UInt64
    ) {
        self.path = path
        self.filesystem = filesystem
        self.mountPoint = mountPoint
        self.totalBytes = totalBytes
        self.usedBytes = usedBytes
        self.availableBytes = availableBytes
    }

    /// Percent used, computed as `df` does: used ÷ (used + available), rounded up.
    ///
    /// Space reserved for root counts neither as used nor available, which is why `df`
    /// can show 100 % while root can still write.
    public var usedPercent: Int {
        let usable = usedBytes + availableBytes
        guard usable > 0 else { return 0 }
        return Int((Double(usedBytes) * 100 / Double(usable)).rounded(.up))
    }

    /// Parses the output of `df -P -B1 <path>` (a header and one line); nil when malformed.
    ///
    /// The mount point is the last column and may contain spaces, so columns are read from the left.
    init?(path: String, dfOutput text: String) {
        let lines = text.split(separator: "\n")
        guard lines.count >= 2 else { return nil }
        let fields = lines[1].split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 6,
              let total = UInt64(fields[1]), let used = UInt64(fields[2]), let available = UInt64(fields[3]),
              fields[4].hasSuffix("%")
        else { return nil }
        self.init(
            path: path, filesystem: String(fields[0]), mountPoint: fields[5...].joined(separator: " "),
            totalBytes: total, usedBytes: used, availableBytes: available
        )
    }
}
