import HumanUnits

extension HostDiagnosis {
    /// `disk.high`: one finding per filesystem, naming every checked path it holds.
    func diskFindings(_ snapshot: HostSnapshot) -> [Finding] {
        var filesystems: [(usage: DiskUsage, paths: [String])] = []
        for disk in snapshot.disks {
            if let index = filesystems.firstIndex(where: {
                $0.usage.mountPoint == disk.mountPoint && $0.usage.filesystem == disk.filesystem
            }) {
                filesystems[index].paths.append(disk.path)
            } else {
                filesystems.append((disk, [disk.path]))
            }
        }
        return filesystems.compactMap { usage, paths in
            guard let severity = severity(
                of: usage.usedPercent,
                warning: configuration.diskWarningPercent, critical: configuration.diskCriticalPercent
            ) else { return nil }
            return Finding(
                severity: severity, code: .diskHigh,
                title: "\(usage.mountPoint) is \(usage.usedPercent) % full"
                    + " (\(ByteSizeText.readable(usage.availableBytes)) free of \(ByteSizeText.readable(usage.totalBytes)))",
                evidence: [
                    "\(ByteSizeText.readable(usage.usedBytes)) used on \(usage.filesystem) mounted on \(usage.mountPoint)",
                    "holds the checked path\(paths.count == 1 ? "" : "s") \(paths.joined(separator: ", "))",
                    "a full disk stops logging and Redis snapshots (a snapshot needs room for a whole copy)",
                ],
                fix: [
                    "du -xh --max-depth=2 \(usage.mountPoint) 2>/dev/null | sort -h | tail -n 20",
                    "journalctl --vacuum-size=200M",
                    "apt-get clean",
                ]
            )
        }
    }
}
