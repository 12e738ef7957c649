extension DiagnosisReport {
    /// Renders the report for a terminal: a summary line, then each finding (most urgent first) with
    /// its evidence indented and its fix commands, then the notes. Prose is wrapped to `width`
    /// columns; commands are never wrapped, so they can be copied whole.
    ///
    /// - Parameter width: the terminal width in columns. Default 80.
    public func renderText(width: Int = 80) -> String {
        var lines: [String] = [summary]
        for finding in findings {
            lines.append("")
            lines.append("\(finding.severity.rawValue.uppercased())  \(finding.code)")
            lines += TextWrap.wrap(finding.title, width: width, indent: "  ", continuation: "  ")
            for line in finding.evidence {
                lines += TextWrap.wrap(line, width: width, indent: "    ", continuation: "      ")
            }
            if !finding.fix.isEmpty {
                lines.append("  Fix:")
                lines += finding.fix.map { "    $ \($0)" }
            }
        }
        if !notes.isEmpty {
            lines.append("")
            lines.append("Not checked:")
            for note in notes {
                lines += TextWrap.wrap(note, width: width, indent: "  - ", continuation: "    ")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `Diagnosis: 2 critical, 5 warnings, 1 info`, or a plain all-clear.
    private var summary: String {
        let critical = count(of: .critical)
        let warnings = count(of: .warning)
        let info = count(of: .info)
        if critical + warnings == 0 {
            return "Diagnosis: no problems found" + (info > 0 ? " (\(info) info)" : "")
        }
        return "Diagnosis: \(critical) critical, \(warnings) warning\(warnings == 1 ? "" : "s"), \(info) info"
    }
}

/// Greedy word wrapping with a first-line indent and a hanging indent.
enum TextWrap {
    /// Splits `text` into lines of at most `width` columns where words allow; a word longer than a
    /// line stays whole on its own line. Leading spaces and runs of spaces inside a line are kept,
    /// so aligned columns stay aligned; the spaces at a break are dropped.
    static func wrap(_ text: String, width: Int, indent: String, continuation: String) -> [String] {
        if indent.count + text.count <= width { return [indent + text] }
        var lines: [String] = []
        var current = indent + text.prefix { $0 == " " }
        var currentHasWord = false
        var pendingSpaces = 0
        for piece in text.split(separator: " ", omittingEmptySubsequences: false) {
            if piece.isEmpty {
                pendingSpaces += 1
                continue
            }
            let gap = currentHasWord ? max(pendingSpaces, 1) : 0
            if currentHasWord && current.count + gap + piece.count > width {
                lines.append(current)
                current = continuation
                currentHasWord = false
            }
            current += String(repeating: " ", count: currentHasWord ? gap : 0) + piece
            currentHasWord = true
            pendingSpaces = 1
        }
        lines.append(current)
        return lines
    }
}
