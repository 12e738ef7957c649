import Foundation
import Testing
@testable import Supervisor

#if canImport(Glibc)
import Glibc
#endif

/// The probe against this machine's real /proc, real child processes and real df.
@Suite struct HostProbeLiveTests {
    @Test func liveProbeFindsItsOwnProcessWithItsCommandLine() throws {
        let snapshot = HostProbe().snapshot(.processes)
        #expect(snapshot.observerPID == getpid())
        let me = try #require(snapshot.processes.first { $0.pid == getpid() })
        #expect(me.arguments == CommandLine.arguments)
        #expect(me.parentPID == getppid())
        #expect(me.residentBytes > 1024 * 1024)
        #expect(me.cpuSeconds > 0)
        #expect(me.runningSeconds > 0)
        let uptime = try #require(snapshot.uptimeSeconds)
        #expect(me.runningSeconds <= uptime)
    }

    @Test func liveLoadCPUsAndMemoryAgreeWithTheKernel() throws {
        let snapshot = HostProbe().snapshot(.admission)
        #expect(snapshot.cpuCount == sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let memory = try #require(snapshot.memory)
        let physicalBytes = UInt64(sysconf(Int32(_SC_PHYS_PAGES))) * UInt64(sysconf(Int32(_SC_PAGESIZE)))
        #expect(memory.totalBytes == physicalBytes)
        #expect(memory.availableBytes > 0 && memory.availableBytes <= memory.totalBytes)
        let load = try #require(snapshot.load)
        var kernelLoad = [Double](repeating: 0, count: 3)
        #expect(getloadavg(&kernelLoad, 3) == 3)
        #expect(abs(load.fifteenMinutes - kernelLoad[2]) < 0.5)
    }

    @Test func liveCPUPercentOfBusyAndIdleChildrenMatchesPs() throws {
        let busy = try Self.launch("/bin/bash", ["-c", "while :; do :; done"])
        let idle = try Self.launch("/bin/sleep", ["30"])
        defer {
            stop(busy)
            stop(idle)
        }
        Thread.sleep(forTimeInterval: 1.5)
        let snapshot = HostProbe().snapshot(.processes)
        let psBusy = try Self.psCPU(busy.processIdentifier)
        let busySample = try #require(snapshot.processes.first { $0.pid == busy.processIdentifier })
        let idleSample = try #require(snapshot.processes.first { $0.pid == idle.processIdentifier })
        #expect(busySample.arguments == ["/bin/bash", "-c", "while :; do :; done"])
        #expect(busySample.parentPID == getpid())
        #expect(busySample.cpuPercent > 20, "a busy loop used \(busySample.cpuPercent) %")
        #expect(abs(busySample.cpuPercent - psBusy) < 15, "probe \(busySample.cpuPercent) %, ps \(psBusy) %")
        #expect(idleSample.cpuPercent < 5)
        #expect(idleSample.state == "S")
    }

    @Test func liveDiskUsageOfRootMatchesStatvfs() throws {
        let probe = HostProbe(configuration: .init(diskPaths: ["/"]))
        let disk = try #require(probe.snapshot(.disks).disks.first)
        var fs = statvfs()
        #expect(statvfs("/", &fs) == 0)
        #expect(disk.path == "/")
        #expect(disk.mountPoint == "/")
        #expect(disk.totalBytes == UInt64(fs.f_blocks) * UInt64(fs.f_frsize))
        #expect((0...100).contains(disk.usedPercent))
    }

    private static func launch(_ executable: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        return process
    }

    /// `%CPU` as ps computes it.
    private static func psCPU(_ pid: Int32) throws -> Double {
        let ps = Process()
        ps.executableURL = URL(fileURLWithPath: "/usr/bin/ps")
        ps.arguments = ["-o", "pcpu=", "-p", String(pid)]
        let pipe = Pipe()
        ps.standardOutput = pipe
        try ps.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        ps.waitUntilExit()
        return try #require(Double(String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
    }
}
