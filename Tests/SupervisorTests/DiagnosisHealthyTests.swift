import Foundation
import Testing
@testable import Supervisor

@Suite struct DiagnosisHealthyTests {
    @Test func healthyHostHasOnlyInformationalFindings() {
        let snapshot = HostFixture.probe("healthy").snapshot()
        #expect(snapshot.notes.isEmpty, "\(snapshot.notes)")
        let report = HostDiagnosis().report(for: snapshot)
        #expect(report.findings.map(\.code) == [.topProcesses])
        #expect(report.exitStatus == 0)
        #expect(report.renderText().hasPrefix("Diagnosis: no problems found (1 info)\n"))
    }

    @Test func poolChildrenAndNginxWorkersAreNotDuplicateWorkers() {
        let snapshot = HostFixture.probe("healthy").snapshot(.processes)
        // ingest-worker 641 is forked from 640; nginx workers 701 and 702 belong to their master.
        #expect(HostDiagnosis().workerGroups(in: snapshot).isEmpty)
    }

    @Test func twoCopiesOfOneWorkerOnTheLiveHostAreGroupedAndTheYoungerIsSurplus() throws {
        let token = "jobq-test-worker-\(UUID().uuidString.prefix(8))"
        let older = try Self.launchSleeper(named: token)
        defer { stop(older) }
        Thread.sleep(forTimeInterval: 0.2)
        let younger = try Self.launchSleeper(named: token)
        defer { stop(younger) }
        Thread.sleep(forTimeInterval: 0.2)

        let diagnosis = HostDiagnosis(configuration: .init(workerPatterns: [token]))
        let snapshot = HostProbe().snapshot(.processes)
        let groups = diagnosis.workerGroups(in: snapshot)

        #expect(groups.map(\.kind) == [.sameCommand])
        #expect(Set(groups.first?.members.map(\.process.pid) ?? []) == [older.processIdentifier, younger.processIdentifier])
        #expect(groups.surplusPIDs == [younger.processIdentifier])
        let finding = try #require(diagnosis.report(for: snapshot).findings(.duplicateWorkers).first)
        #expect(finding.severity == .critical)
        #expect(finding.fix == ["jobq emergency-stop --kill-duplicates", "kill \(younger.processIdentifier)"])
    }

    @Test func theObservingProcessIsNotCountedAsAWorkerOnTheLiveHost() throws {
        let token = "jobq-test-observer-\(UUID().uuidString.prefix(8))"
        let first = try Self.launchSleeper(named: token)
        defer { stop(first) }
        let second = try Self.launchSleeper(named: token)
        defer { stop(second) }
        Thread.sleep(forTimeInterval: 0.2)
        let diagnosis = HostDiagnosis(configuration: .init(workerPatterns: [token]))
        var snapshot = HostProbe().snapshot(.processes)
        #expect(diagnosis.workerGroups(in: snapshot).count == 1)
        snapshot.observerPID = first.processIdentifier
        #expect(diagnosis.workerGroups(in: snapshot).isEmpty)
    }

    /// Starts `sleep 30` with its argv[0] set to `name` (bash's `exec -a`), so its command line is `name 30`.
    private static func launchSleeper(named name: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "exec -a \(name) sleep 30"]
        try process.run()
        return process
    }
}
