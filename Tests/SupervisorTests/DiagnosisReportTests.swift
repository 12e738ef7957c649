import Foundation
import Testing
@testable import Supervisor

@Suite struct DiagnosisReportTests {
    @Test func exitStatusFollowsTheWorstSeverity() {
        #expect(DiagnosisReport().exitStatus == 0)
        #expect(DiagnosisReport(findings: [Finding(severity: .info, code: "x.info", title: "fyi")]).exitStatus == 0)
        #expect(DiagnosisReport(findings: [
            Finding(severity: .info, code: "x.info", title: "fyi"),
            Finding(severity: .warning, code: "x.warn", title: "soon"),
        ]).exitStatus == 1)
        #expect(DiagnosisReport(findings: [
            Finding(severity: .warning, code: "x.warn", title: "soon"),
            Finding(severity: .critical, code: "x.crit", title: "now"),
        ]).exitStatus == 2)
    }

    @Test func appendedFindingsFromOtherChecksAreRankedWithTheHostFindings() {
        var report = DiagnosisReport(findings: [
            Finding(severity: .info, code: "process.top", title: "top"),
            Finding(severity: .warning, code: "swap.none", title: "no swap"),
        ], notes: ["host note"])
        #expect(report.exitStatus == 1)
        report.append([
            Finding(severity: .warning, code: "queue.backlog", title: "backlog"),
            Finding(severity: .critical, code: "redis.unreachable", title: "redis down"),
        ], notes: ["redis note"])
        #expect(report.findings.map(\.code.rawValue) == ["redis.unreachable", "swap.none", "queue.backlog", "process.top"])
        #expect(report.notes == ["host note", "redis note"])
        #expect(report.exitStatus == 2)
    }

    @Test func longEvidenceWrapsWithAHangingIndentButCommandsStayWhole() {
        let longCommand = "printf '" + String(repeating: "x", count: 90) + "' > /etc/somewhere"
        let report = DiagnosisReport(findings: [Finding(
            severity: .warning, code: "x.long", title: "A title",
            evidence: [Array(repeating: "word", count: 40).joined(separator: " "), "short   aligned   row"],
            fix: [longCommand]
        )])
        let lines = report.renderText().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[2] == "WARNING  x.long")
        #expect(lines[3] == "  A title")
        let evidence = lines.filter { $0.hasPrefix("    word") || $0.hasPrefix("      word") }
        #expect(evidence.count == 3)
        #expect(evidence[0].hasPrefix("    word") && evidence[1].hasPrefix("      word"))
        #expect(evidence.allSatisfy { $0.count <= 80 })
        #expect(lines.contains("    short   aligned   row"))
        #expect(lines.contains("    $ \(longCommand)"))
    }

    @Test func severitiesAreOrdered() {
        #expect(Finding.Severity.info < .warning)
        #expect(Finding.Severity.warning < .critical)
        #expect(Finding.Severity.allCases.max() == .critical)
    }
}
