import Foundation
import Testing
@testable import Supervisor

@Suite struct HostProbeFixtureTests {
    @Test func incidentHostIsReadCompletely() throws {
        let snapshot = HostFixture.probe("incident").snapshot()
        #expect(snapshot.load == LoadAverage(oneMinute: 7.61, fiveMinutes: 7.40, fifteenMinutes: 7.61))
        #expect(snapshot.cpuCount == 1)
        let memory = try #require(snapshot.memory)
        #expect(memory.totalBytes == 3_984_588 * 1024)
        #expect(memory.availableBytes == 2 * 1024 * 1024 * 1024)
        #expect(memory.swapTotalBytes == 0)
        #expect(snapshot.pressure == nil)
        #expect(snapshot.notes.contains { $0.contains("no pressure stall information") })
        #expect(snapshot.uptimeSeconds == 864_000)
        #expect(snapshot.observerPID == nil)

        let rivet = try #require(snapshot.processes.first { $0.pid == 48213 })
        #expect(rivet.arguments == ["python", "scripts/rivet_worker.py"])
        #expect(rivet.parentPID == 1)
        #expect(rivet.state == "R")
        #expect(rivet.residentBytes == 216 * 1024 * 1024)
        #expect(abs(rivet.cpuPercent - 45.5) < 0.05)
        #expect(rivet.systemdUnit == "rivet-worker.service")
        let fast = try #require(snapshot.processes.first { $0.pid == 2417 })
        #expect(abs(fast.cpuPercent - 4.2) < 0.05)
        #expect(fast.residentBytes == 177 * 1024 * 1024)
        #expect(fast.systemdUnit == "session-3.scope")
        let kernelThread = try #require(snapshot.processes.first { $0.pid == 45 })
        #expect(kernelThread.hasNoCommandLine)
        #expect(kernelThread.commandLine == "[kworker/0:1-events]")
        #expect(snapshot.processes.map(\.pid) == snapshot.processes.map(\.pid).sorted())

        #expect(snapshot.disks.map(\.path) == ["/", "/var/lib/redis"])
        #expect(snapshot.disks.allSatisfy { $0.usedPercent == 78 && $0.mountPoint == "/" })

        guard case .available(let systemd) = snapshot.systemd else {
            Issue.record("systemd should be available, got \(String(describing: snapshot.systemd))")
            return
        }
        #expect(systemd.failedUnits.map(\.name) == ["nginx.service", "rivet-scheduler.service", "unattended-upgrades.service"])
        let worker = try #require(systemd.services.first { $0.name == "rivet-worker.service" })
        #expect(worker.restartCount == 14535)
        #expect(worker.restartPolicy == "always")
        #expect(worker.restartDelay == .finite(microseconds: 10_000_000))
        #expect(worker.startLimitInterval == .finite(microseconds: 10_000_000))
        #expect(worker.startLimitBurst == 5)
        #expect(worker.activeState == "activating" && worker.subState == "auto-restart")
        #expect(worker.command == "python scripts/rivet_worker.py")
        #expect(systemd.services.count == 9)
    }

    @Test func admissionPartsReadNoProcessesAndRunNoCommands() {
        let snapshot = HostFixture.probe("incident").snapshot(.admission)
        #expect(snapshot.load != nil && snapshot.cpuCount == 1 && snapshot.memory != nil)
        #expect(snapshot.processes.isEmpty)
        #expect(snapshot.disks.isEmpty)
        #expect(snapshot.systemd == nil)
    }

    @Test func malformedFilesBecomeNotesAndTheRestIsStillRead() throws {
        let host = try ScratchHostRoot()
        try host.write("proc/loadavg", "not a load average\n")
        try host.write("proc/meminfo", "MemTotal: lots\n")
        try host.write("sys/devices/system/cpu/online", "garbage\n")
        try host.write("proc/cpuinfo", "processor\t: 0\nprocessor\t: 1\nprocessor\t: 2\n")
        try host.write("proc/pressure/cpu", "some avg10=oops\n")
        try host.write("proc/pressure/memory", "some avg10=5.00 avg60=4.00 avg300=3.00 total=1\n")
        try host.write("proc/stat", "cpu 1 2 3\nbtime \(Int(Date().timeIntervalSince1970) - 1000)\n")
        try host.write("proc/10/stat", "10 (broken")
        try host.write("proc/11/stat", "11 (fine) S 1 11 11 0 -1 0 0 0 0 0 10000 10000 0 0 20 0 1 0 50000 0 0")
        try host.write("proc/11/cmdline", "fine\0")
        try host.write("proc/self/stat", "not a pid directory")
        try host.writeCommand("df", script: "echo 'this is not df output'")
        try host.writeCommand("systemctl", script: "echo 'Failed to connect to bus: Host is down' >&2; exit 1")

        let snapshot = host.probe().snapshot()

        #expect(snapshot.load == nil)
        #expect(snapshot.memory == nil)
        #expect(snapshot.cpuCount == 3, "falls back to /proc/cpuinfo")
        #expect(snapshot.pressure?.cpu == nil)
        #expect(snapshot.pressure?.memory?.some.avg60 == 4)
        #expect(snapshot.pressure?.io == nil)
        let uptime = try #require(snapshot.uptimeSeconds, "falls back to btime")
        #expect(abs(uptime - 1000) < 5)
        #expect(snapshot.processes.map(\.pid) == [11])
        #expect(abs(snapshot.processes[0].cpuPercent - 40) < 1, "200 s of CPU over the 500 s since start")
        #expect(snapshot.disks.isEmpty)
        #expect(snapshot.systemd == .unavailable(reason: "Failed to connect to bus: Host is down"))
        let notes = snapshot.notes.joined(separator: "\n")
        for expected in ["/proc/loadavg could not be parsed", "/proc/meminfo could not be parsed",
                         "/proc/pressure/cpu could not be parsed", "pressure/io does not exist",
                         "stat could not be read or parsed: 10", "printed output that could not be parsed"] {
            #expect(notes.contains(expected), "missing note: \(expected)\n\(notes)")
        }
    }

    @Test func emptyRootYieldsANoteForEveryPart() throws {
        let host = try ScratchHostRoot()
        let snapshot = host.probe().snapshot()
        #expect(snapshot == HostSnapshot(
            systemd: .unavailable(reason: "systemctl was not found on PATH (\(host.path)/bin)"),
            notes: snapshot.notes
        ))
        let notes = snapshot.notes.joined(separator: "\n")
        for expected in ["loadavg does not exist", "CPU count could not be read", "meminfo does not exist",
                         "no pressure stall information", "no processes were read", "df was not found"] {
            #expect(notes.contains(expected), "missing note: \(expected)\n\(notes)")
        }
    }

    @Test func systemdNotBootedIsReportedAsUnavailableWithSystemctlsReason() throws {
        let host = try ScratchHostRoot()
        try host.writeCommand("systemctl", script: """
            echo "System has not been booted with systemd as init system (PID 1). Can't operate." >&2
            echo "Failed to connect to bus: Host is down" >&2
            exit 1
            """)
        let snapshot = host.probe().snapshot(.systemd)
        #expect(snapshot.systemd == .unavailable(
            reason: "System has not been booted with systemd as init system (PID 1). Can't operate."
        ))
        let report = HostDiagnosis().report(for: snapshot)
        #expect(report.findings.map(\.code) == [.systemdUnavailable])
        #expect(report.findings.first?.severity == .info)
        #expect(report.exitStatus == 0)
    }

    @Test func hungCommandIsKilledWithItsChildrenAfterTheTimeout() throws {
        let host = try ScratchHostRoot()
        try host.writeCommand("df", script: "sleep 30 & echo $! > \(host.path)/sleeper.pid; wait")
        let started = Date()
        let snapshot = host.probe(timeout: .milliseconds(500)).snapshot(.disks)
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 5, "the probe waited \(elapsed) s")
        #expect(snapshot.disks.isEmpty)
        #expect(snapshot.notes.contains { $0.contains("did not finish within") })
        let sleeperPID = try #require(Int32(
            String(contentsOfFile: "\(host.path)/sleeper.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        ))
        let sleeperState = (try? String(contentsOfFile: "/proc/\(sleeperPID)/stat", encoding: .utf8))
            .flatMap { ProcStatFields(procStat: $0)?.state }
        #expect(sleeperState == nil || sleeperState == "Z", "the command's child survived the timeout")
    }
}
