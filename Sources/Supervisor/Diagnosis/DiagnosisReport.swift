/// The findings of one diagnosis run, most urgent first, with the exit status `jobq diagnose` returns.
///
/// Host findings come from `HostDiagnosis`; other checks (Redis, queues) append theirs with
/// `append(_:notes:)`, and the ranking and exit status follow.
public struct DiagnosisReport: Sendable, Equatable, Codable {
    /// Findings ranked by severity, critical first; equal severities keep the order they were added in.
    public private(set) var findings: [Finding]
    /// Things the diagnosis could not look at, and why.
    public private(set) var notes: [String]

    /// Creates a report, ranking the findings.
    public init(findings: [Finding] = [], notes: [String] = []) {
        self.findings = []
        self.notes = []
        append(findings, notes: notes)
    }

    /// Adds findings (and notes) from another check, keeping the ranking.
    public mutating func append(_ newFindings: [Finding], notes newNotes: [String] = []) {
        findings = Self.ranked(findings + newFindings)
        notes += newNotes
    }

    /// 0 when nothing is wrong (info findings only), 1 when the worst finding is a warning, 2 when any is critical.
    public var exitStatus: Int32 {
        switch findings.map(\.severity).max() {
        case .critical: return 2
        case .warning: return 1
        case .info, nil: return 0
        }
    }

    /// The number of findings of each severity.
    public func count(of severity: Finding.Severity) -> Int {
        findings.count { $0.severity == severity }
    }

    private static func ranked(_ findings: [Finding]) -> [Finding] {
        findings.enumerated()
            .sorted { left, right in
                left.element.severity != right.element.severity
                    ? left.element.severity > right.element.severity
                    : left.offset < right.offset
            }
            .map(\.element)
    }

    private enum CodingKeys: String, CodingKey {
        case exitStatus, findings, notes
    }

    /// Decodes a report; the stored exit status is recomputed from the findings.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            findings: try container.decode([Finding].self, forKey: .findings),
            notes: try container.decode([String].self, forKey: .notes)
        )
    }

    /// Encodes the exit status, the ranked findings and the notes.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(exitStatus, forKey: .exitStatus)
        try container.encode(findings, forKey: .findings)
        try container.encode(notes, forKey: .notes)
    }
}
