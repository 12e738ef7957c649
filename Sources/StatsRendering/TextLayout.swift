import Foundation

/// Layout of the text renderings: word wrap, and sizes in MiB.
enum TextLayout {
    /// `MiB` with one decimal for byte counts: `52.3 MiB`.
    static func mebibytes(_ bytes: Int64) -> String {
        String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }

    /// Greedy word wrap: the first line starts with `indent`, the others with `continuation`; a
    /// word longer than a line stays whole.
    static func wrap(_ text: String, width: Int, indent: String, continuation: String) -> [String] {
        var lines: [String] = []
        var current = indent
        var empty = true
        for word in text.split(separator: " ") {
            if !empty && current.count + 1 + word.count > width {
                lines.append(current)
                current = continuation
                empty = true
            }
            current += (empty ? "" : " ") + word
            empty = false
        }
        lines.append(current)
        return lines
    }
}
