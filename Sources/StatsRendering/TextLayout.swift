import Foundation

/// Layout of the text renderings.
enum TextLayout {
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
