import Testing
@testable import Supervisor

/// Rule boundaries, checked on hand-built snapshots.
@Suite struct DiagnosisRulesTests {
    @Test(arguments: [(0.99, nil), (1.0, .warning), (1.99, .warning), (2.0, .critical)] as [(Double, Finding.Severity?)])
    func loadPerCPUThresholds(perCPU: Double, severity: Finding.Severity?) {
        let snapshot = HostSnapshot(
            load: LoadAverage(oneMinute: 0.1, fiveMinutes: perCPU * 2, fifteenMinutes: 0.1), cpuCount: 2
        )
        #expect(HostDiagnosis().findings(for: snapshot).first { $0.code == .loadHigh }?.severity == severity)
    }

    @Test func pressureFindingsFollowTheOneMinuteAverage() {
        let stall = { (avg60: Double) in
            PressureStall(some: PressureAverages(avg10: 0, avg60: avg60, avg300: 0), full: nil)
        }
        let snapshot = HostSnapshot(pressure: HostPressure(cpu: stall(55), memory: stall(25), io: stall(19.9)))
        let found = HostDiagnosis().findings(for: snapshot).map { "\($0.severity.rawValue) \($0.code)" }
        #expect(found == ["critical psi.cpu", "warning psi.memory"])
    }

    @Test func lowMemoryWithoutSwapIsCritical() {
        let gib: UInt64 = 1 << 30
        let tight = HostSnapshot(memory: MemoryInfo(
            totalBytes: 4 * gib, availableBytes: gib / 8, swapTotalBytes: 0, swapFreeBytes: 0
        ))
        let found = HostDiagnosis().findings(for: tight).map { "\($0.severity.rawValue) \($0.code)" }
        #expect(found == ["critical memory.low", "critical swap.none"])
        let swapping = HostSnapshot(memory: MemoryInfo(
            totalBytes: 4 * gib, availableBytes: 2 * gib, swapTotalBytes: gib, swapFreeBytes: gib * 4 / 10
        ))
        let swapFinding = HostDiagnosis().findings(for: swapping)
        #expect(swapFinding.map(\.code) == [.swapUsed])
        #expect(swapFinding.first?.title == "60 % of swap is in use")
        #expect(swapFinding.first?.severity == .warning)
    }

    @Test func diskThresholdsAreSeventyFiveAndNinetyPercent() {
        func disk(_ mount: String, usedPercent: UInt64) -> DiskUsage {
            DiskUsage(path: mount, filesystem: "/dev/\(mount.count)", mountPoint: mount,
                      totalBytes: 100, usedBytes: usedPercent, availableBytes: 100 - usedPercent)
        }
        let snapshot = HostSnapshot(disks: [disk("/", usedPercent: 74), disk("/a", usedPercent: 75), disk("/bb", usedPercent: 90)])
        let found = HostDiagnosis().findings(for: snapshot).map { "\($0.severity.rawValue) \($0.title)" }
        #expect(found == ["critical /bb is 90 % full (10 B free of 100 B)", "warning /a is 75 % full (25 B free of 100 B)"])
    }

    @Test func startLimitTrapNeedsRestartDelayTimesBurstToCoverTheInterval() {
        func service(_ name: String, _ restart: String, _ delay: String, _ interval: String) -> ServiceStatus {
            ServiceStatus(
                name: name, activeState: "active", subState: "running", restartPolicy: restart,
                restartDelay: SystemdTimeSpan(parsing: delay), startLimitInterval: SystemdTimeSpan(parsing: interval),
                startLimitBurst: 5, restartCount: 0, command: nil
            )
        }
        let snapshot = HostSnapshot(systemd: .available(SystemdInventory(failedUnits: [], services: [
            service("fast.service", "always", "100ms", "10s"),
            service("edge.service", "always", "2s", "10s"),
            service("justunder.service", "on-failure", "1.999s", "10s"),
            service("disabled.service", "on-failure", "1s", "0"),
            service("forever.service", "on-abnormal", "1s", "infinity"),
            service("never.service", "no", "1min", "10s"),
            service("clean.service", "on-success", "1min", "10s"),
        ])))
        let traps = HostDiagnosis().findings(for: snapshot).filter { $0.code == .startLimitUnreachable }
        #expect(traps.map { $0.title.split(separator: " ")[0] } == ["edge.service", "disabled.service", "forever.service"])
        #expect(traps[1].evidence.last == "StartLimitIntervalSec=0, StartLimitBurst=5: the start limit is disabled")
    }

    @Test func copiesOfOneWorkerKeepTheServiceRunOneAndIgnoreWrapperChildren() {
        let snapshot = HostSnapshot(processes: [
            sample(1, parent: 0, name: "systemd", ["/sbin/init"]),
            sample(50, parent: 2, name: "kworker/0:0", []),
            sample(100, parent: 1, name: "bash", ["-bash"], unit: "session-1.scope"),
            sample(200, parent: 100, name: "poetry",
                   ["/usr/bin/python3", "/root/.local/bin/poetry", "run", "python", "fast_worker.py"],
                   unit: "session-1.scope", running: 9_000),
            sample(201, parent: 200, name: "python", ["python", "fast_worker.py"], unit: "session-1.scope"),
            sample(300, parent: 1, name: "python3", ["/usr/bin/python3", "-u", "/srv/app/fast_worker.py"],
                   unit: "fast.service", running: 60),
            sample(400, parent: 1, name: "python3", ["python3", "fast_worker.py"], state: "Z"),
        ])
        let groups = HostDiagnosis().workerGroups(in: snapshot)
        #expect(groups.map(\.kind) == [.sameCommand])
        #expect(groups.first?.members.map(\.process.pid) == [200, 300])
        #expect(groups.surplusPIDs == [200], "the service-run copy stays even though it is younger")
    }

    @Test func differentWorkersWithoutAServiceHaveNoSurplusAndSuggestLookingFirst() throws {
        let snapshot = HostSnapshot(processes: [
            sample(10, parent: 1, name: "python", ["python", "a_worker.py"], running: 100),
            sample(11, parent: 1, name: "python", ["python", "b_worker.py"], running: 50),
        ])
        let groups = HostDiagnosis().workerGroups(in: snapshot)
        #expect(groups.map(\.kind) == [.differentWorkers])
        #expect(groups.surplusPIDs.isEmpty)
        let finding = try #require(HostDiagnosis().findings(for: snapshot).first { $0.code == .duplicateWorkers })
        #expect(finding.fix == ["ps -o pid,ppid,etime,args -p 10,11"])
        #expect(HostDiagnosis(configuration: .init(workerPatterns: ["a_worker"])).workerGroups(in: snapshot).isEmpty)
    }

    @Test func aDiagnosisRunWhoseArgumentsMatchThePatternIsNotAWorker() {
        var snapshot = HostSnapshot(processes: [
            sample(1, parent: 0, name: "systemd", ["/sbin/init"]),
            sample(10, parent: 1, name: "sudo", ["sudo", "jobq", "diagnose", "--worker-pattern", "worker"]),
            sample(11, parent: 10, name: "jobq", ["jobq", "diagnose", "--worker-pattern", "worker"]),
            sample(20, parent: 1, name: "python", ["python", "rivet_worker.py"], unit: "rivet-worker.service"),
        ])
        #expect(HostDiagnosis().workerGroups(in: snapshot).map(\.kind) == [.differentWorkers])
        snapshot.observerPID = 11
        #expect(HostDiagnosis().workerGroups(in: snapshot).isEmpty)
    }

    private func sample(
        _ pid: Int32, parent: Int32, name: String, _ arguments: [String], unit: String? = nil,
        running: Double = 1_000, state: Character = "S"
    ) -> ProcessSample {
        ProcessSample(
            pid: pid, parentPID: parent, name: name, state: state, arguments: arguments, residentBytes: 1 << 20,
            cpuSeconds: 1, runningSeconds: running, systemdUnit: unit
        )
    }
}
