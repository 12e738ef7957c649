/// Writes ``CgroupLimits`` into a new cgroup directory with the kernel's exact syntax.
enum CgroupLimitWriter {
    /// Writes the limits the directory's controllers can enforce.
    ///
    /// - Returns: warnings for caps that cannot be applied exactly on this kernel.
    /// - Throws: ``CgroupError/Code/writeFailed`` naming the file and value.
    static func apply(_ limits: CgroupLimits, to directory: CgroupDirectory) throws(CgroupError) -> [String] {
        switch directory.version {
        case .v1: try applyV1(limits, to: directory)
        case .v2: try applyV2(limits, to: directory)
        }
    }

    private static func applyV2(_ limits: CgroupLimits, to directory: CgroupDirectory) throws(CgroupError) -> [String] {
        var warnings: [String] = []
        if directory.controllers.contains(.cpu), let quota = limits.cpuQuotaMicroseconds {
            try CgroupFile.write("\(quota) \(CgroupLimits.cpuPeriodMicroseconds)", to: directory.file("cpu.max"))
        }
        if directory.controllers.contains(.memory) {
            if let memoryMax = limits.memoryMax {
                try CgroupFile.write(String(memoryMax), to: directory.file("memory.max"))
                if CgroupFile.exists(directory.file("memory.swap.max")) {
                    try CgroupFile.write(String(limits.swapMax), to: directory.file("memory.swap.max"))
                } else {
                    warnings.append(
                        "\(directory.file("memory.swap.max")) is missing (kernel built without swap accounting): "
                            + "the worker's swap use is not capped"
                    )
                }
            }
            if CgroupFile.exists(directory.file("memory.oom.group")) {
                try CgroupFile.write("1", to: directory.file("memory.oom.group"))
            } else {
                warnings.append(
                    "\(directory.file("memory.oom.group")) is missing (kernel before 4.19): "
                        + "an out-of-memory kill takes one process of the worker, not all of them"
                )
            }
        }
        if directory.controllers.contains(.pids), let pidsMax = limits.pidsMax {
            try CgroupFile.write(String(pidsMax), to: directory.file("pids.max"))
        }
        return warnings
    }

    private static func applyV1(_ limits: CgroupLimits, to directory: CgroupDirectory) throws(CgroupError) -> [String] {
        var warnings: [String] = []
        if directory.controllers.contains(.cpu), let quota = limits.cpuQuotaMicroseconds {
            try CgroupFile.write(String(CgroupLimits.cpuPeriodMicroseconds), to: directory.file("cpu.cfs_period_us"))
            try CgroupFile.write(String(quota), to: directory.file("cpu.cfs_quota_us"))
        }
        if directory.controllers.contains(.memory), let memoryMax = limits.memoryMax {
            // The memory limit first: memsw may never be below it.
            try CgroupFile.write(String(memoryMax), to: directory.file("memory.limit_in_bytes"))
            if CgroupFile.exists(directory.file("memory.memsw.limit_in_bytes")) {
                let (total, overflow) = memoryMax.addingReportingOverflow(limits.swapMax)
                try CgroupFile.write(String(overflow ? UInt64.max : total), to: directory.file("memory.memsw.limit_in_bytes"))
            } else {
                warnings.append(
                    "\(directory.file("memory.memsw.limit_in_bytes")) is missing (swap accounting is off; boot with "
                        + "swapaccount=1): the worker may swap beyond its memory cap"
                )
            }
        }
        if directory.controllers.contains(.pids), let pidsMax = limits.pidsMax {
            try CgroupFile.write(String(pidsMax), to: directory.file("pids.max"))
        }
        return warnings
    }
}
