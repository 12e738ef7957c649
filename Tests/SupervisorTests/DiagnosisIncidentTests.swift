import Foundation
import Testing
@testable import Supervisor

/// The full host diagnosis replaying the crash-loop incident: 1 CPU at load 7.61, a worker service
/// restarted 14,535 times, a second worker started by hand, no swap, a 78 % full disk, failed units.
@Suite struct DiagnosisIncidentTests {
    let report = HostDiagnosis().report(for: HostFixture.probe("incident").snapshot())

    @Test func everyProblemIsFoundWithTheRightSeverityAndTheExitStatusIsCritical() {
        let found = report.findings.map { "\($0.severity.rawValue) \($0.code)" }
        #expect(found == [
            "critical load.high",
            "critical systemd.restartLoop",
            "warning swap.none",
            "warning disk.high",
            "warning process.duplicateWorkers",
            "warning systemd.failedUnit",
            "warning systemd.failedUnit",
            "warning systemd.failedUnit",
            "warning systemd.restartLoop",
            "warning systemd.startLimitUnreachable",
            "warning systemd.startLimitUnreachable",
            "info process.top",
        ])
        #expect(report.exitStatus == 2)
        #expect(report.notes.contains { $0.contains("no pressure stall information") })
    }

    @Test func loadFindingExplainsThatLoadCountsBlockedTasks() throws {
        let load = try #require(report.findings(.loadHigh).first)
        #expect(load.title.contains("7.61 per CPU on 1 CPU"))
        #expect(load.evidence.contains("load averages 7.61, 7.40, 7.61 (1, 5, 15 minutes) on 1 CPU"))
        #expect(load.evidence.contains { $0.contains("uninterruptible sleep (D state") })
        let busiest = try #require(load.evidence.firstIndex(of: "busiest:"))
        #expect(load.evidence[busiest + 1] == "  pid 48213   45.5 %CPU   216 MiB  python scripts/rivet_worker.py")
    }

    @Test func restartLoopOfTheWorkerIsCriticalWithTheArithmeticAndTheStopCommand() throws {
        let loops = report.findings(.restartLoop)
        #expect(loops.map(\.severity) == [.critical, .warning])
        let worker = loops[0]
        #expect(worker.title == "rivet-worker.service has been restarted 14535 times: it is crash-looping")
        #expect(worker.evidence.contains("NRestarts=14535, now activating (auto-restart)"))
        #expect(worker.evidence.contains { $0.hasPrefix("14535 restarts × 10s = at least 40.4 hours") })
        #expect(worker.evidence.contains("ExecStart: python scripts/rivet_worker.py"))
        #expect(worker.fix.first == "systemctl stop rivet-worker.service")
        #expect(loops[1].title.hasPrefix("rivet-scheduler.service has been restarted 5 times"))
    }

    @Test func startLimitTrapIsShownWithItsArithmetic() throws {
        let traps = report.findings(.startLimitUnreachable)
        #expect(traps.map(\.title) == [
            "rivet-worker.service would restart forever: its start limit can never trip",
            "ollama.service would restart forever: its start limit can never trip",
        ])
        let worker = traps[0]
        #expect(worker.evidence == [
            "Restart=always, RestartSec=10s",
            "StartLimitBurst=5 starts per StartLimitIntervalSec=10s: the limit trips only when starts come"
                + " faster than one every 10s ÷ 5 = 2s",
            "RestartSec=10s × 5 = 50s ≥ 10s: 5 restarts never fit in one window, so systemd never gives up",
        ])
        #expect(worker.fix == [
            "mkdir -p /etc/systemd/system/rivet-worker.service.d",
            "printf '[Unit]\\nStartLimitIntervalSec=5min\\nStartLimitBurst=5\\n'"
                + " > /etc/systemd/system/rivet-worker.service.d/start-limit.conf",
            "systemctl daemon-reload",
        ])
    }

    @Test func failedUnitsAreEachReported() {
        let titles = report.findings(.failedUnit).map(\.title)
        #expect(titles == [
            "nginx.service has failed", "rivet-scheduler.service has failed", "unattended-upgrades.service has failed",
        ])
        #expect(report.findings(.failedUnit)[0].fix.contains("systemctl restart nginx.service"))
    }

    @Test func handStartedSecondWorkerIsReportedWithPidsAndMarkedSurplus() throws {
        let duplicates = try #require(report.findings(.duplicateWorkers).first)
        #expect(duplicates.title.contains("fast_worker.py"))
        #expect(duplicates.title.contains("rivet_worker.py"))
        let fast = try #require(duplicates.evidence.firstIndex { $0.hasPrefix("pid 2417 ") })
        #expect(duplicates.evidence[fast].hasSuffix("python fast_worker.py"))
        #expect(duplicates.evidence[fast + 1] == "  in session-3.scope, not a service")
        let rivet = try #require(duplicates.evidence.firstIndex { $0.hasPrefix("pid 48213 ") })
        #expect(duplicates.evidence[rivet + 1] == "  run by rivet-worker.service")
        #expect(duplicates.fix == ["jobq emergency-stop --kill-duplicates", "kill 2417"])

        let groups = HostDiagnosis().workerGroups(in: HostFixture.probe("incident").snapshot(.processes))
        #expect(groups.map(\.kind) == [.differentWorkers])
        #expect(groups[0].members.map(\.process.pid) == [955, 2417, 48213])
        #expect(groups[0].members.map(\.identity) == ["langgraph_app.worker", "fast_worker.py", "rivet_worker.py"])
        #expect(groups.surplusPIDs == [2417])
    }

    @Test func memoryIsNotLowButNoSwapIsAWarningWithASwapfileRecipe() throws {
        #expect(report.findings(.memoryLow).isEmpty)
        let swap = try #require(report.findings(.swapNone).first)
        #expect(swap.severity == .warning)
        #expect(swap.evidence.contains("2.0 GiB of 3.8 GiB memory available (53 %)"))
        #expect(swap.fix.first == "fallocate -l 2G /swapfile && chmod 600 /swapfile && mkswap /swapfile && swapon /swapfile")
    }

    @Test func diskAt78PercentIsOneWarningNamingBothCheckedPaths() throws {
        let disks = report.findings(.diskHigh)
        #expect(disks.count == 1)
        #expect(disks[0].title == "/ is 78 % full (10.5 GiB free of 48.0 GiB)")
        #expect(disks[0].evidence.contains("holds the checked paths /, /var/lib/redis"))
    }

    @Test func topProcessesListFiveByCPUAndFiveByMemory() throws {
        let top = try #require(report.findings(.topProcesses).first)
        #expect(top.evidence.count == 12)
        #expect(top.evidence[1].hasPrefix("  pid 48213"))
        #expect(top.evidence[7].hasPrefix("  pid 901") && top.evidence[7].contains("330 MiB"))
    }

    @Test func renderedReportFitsAnEightyColumnTerminalExceptCommands() {
        let text = report.renderText()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "Diagnosis: 2 critical, 9 warnings, 1 info")
        #expect(lines.dropFirst(2).first == "CRITICAL  load.high")
        for line in lines where !line.hasPrefix("    $ ") {
            #expect(line.count <= 80, "too wide: \(line)")
        }
        #expect(text.contains("\n    $ systemctl stop rivet-worker.service\n"))
        #expect(text.contains("\nNot checked:\n  - The kernel has no pressure stall information"))
    }

    @Test func jsonCarriesExitStatusAndStableCodes() throws {
        let data = try JSONEncoder().encode(report)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["exitStatus"] as? Int == 2)
        let findings = try #require(object["findings"] as? [[String: Any]])
        #expect(findings.first?["code"] as? String == "load.high")
        #expect(findings.first?["severity"] as? String == "critical")
        #expect(try JSONDecoder().decode(DiagnosisReport.self, from: data) == report)
    }
}
