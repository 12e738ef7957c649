import Foundation

/// Payloads written one per line (JSON Lines), as `jobq enqueue --jsonl` reads them.
public enum JSONLines {
    /// The payloads of JSON Lines text, in order. Every line that is not blank must be one JSON
    /// value, checked as ``Queue/enqueue(payload:options:)`` checks a payload; blank lines are
    /// skipped.
    ///
    /// - Parameters:
    ///   - text: the lines, separated by `\n`.
    ///   - source: what the text is called in an error, e.g. its file name.
    /// - Returns: each payload as written.
    /// - Throws: ``JobQueueError`` `.invalidJob` naming the first bad line, counted from 1:
    ///   and what is wrong with it: `line 3 of jobs.jsonl is not valid JSON: expected a value at byte 9`.
    public static func payloads(in text: String, source: String) throws(JobQueueError) -> [String] {
        var payloads: [String] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            do {
                try JSONValidator.validate(Array(line.utf8))
            } catch {
                throw JobQueueError(code: .invalidJob, message: "line \(index + 1) of \(source) is not valid JSON: \(error)")
            }
            payloads.append(String(line))
        }
        return payloads
    }
}
