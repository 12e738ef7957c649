/// Removes HTML comments and `script`/`style` elements, with their content, from Markdown lines.
///
/// A comment or element closed on the line it opens on is cut out wherever it is. One left open
/// is removed through the line that closes it only when it starts the line (after at most three
/// spaces), as a Markdown HTML block does; an unclosed opening in running text is left to the
/// inline rules, so a sentence that merely mentions `<script>` cannot swallow the rest of the
/// document. Openings inside code spans are ignored.
struct HTMLBlockFilter {
    private struct Opening {
        let pattern: [UInt8]
        let closing: [UInt8]
        /// Whether the pattern is a tag name that must be followed by whitespace, `>` or `/`.
        let isElement: Bool
    }

    private static let openings = [
        Opening(pattern: Array("<!--".utf8), closing: Array("-->".utf8), isElement: false),
        Opening(pattern: Array("<script".utf8), closing: Array("</script>".utf8), isElement: true),
        Opening(pattern: Array("<style".utf8), closing: Array("</style>".utf8), isElement: true),
    ]

    /// The closing sequence being waited for while a block opened on an earlier line is still open.
    private var awaitedClosing: [UInt8]?

    /// Returns `line` with removed regions cut out; empty when the whole line lies in a removed block.
    mutating func filter(_ line: [UInt8]) -> [UInt8] {
        var position = 0
        if let closing = awaitedClosing {
            guard let end = HTMLBlockFilter.find(closing, in: line, from: 0) else { return [] }
            position = end + closing.count
            awaitedClosing = nil
        }
        var kept: [UInt8] = []
        var searchFrom = position
        while let (start, opening) = nextOpening(in: line, from: searchFrom) {
            let contentStart = start + opening.pattern.count
            if let end = HTMLBlockFilter.find(opening.closing, in: line, from: contentStart) {
                kept.append(contentsOf: line[position..<start])
                position = end + opening.closing.count
                searchFrom = position
            } else if start <= 3, line[0..<start].allSatisfy({ $0 == 0x20 }) {
                kept.append(contentsOf: line[position..<start])
                awaitedClosing = opening.closing
                return kept
            } else {
                searchFrom = contentStart
            }
        }
        kept.append(contentsOf: line[position...])
        return kept
    }

    /// The next comment or `script`/`style` opening at or after `start`, skipping code spans.
    private func nextOpening(in line: [UInt8], from start: Int) -> (Int, Opening)? {
        var position = start
        while position < line.count {
            switch line[position] {
            case UInt8(ascii: "`"):
                position = HTMLBlockFilter.endOfCodeSpan(in: line, at: position)
            case UInt8(ascii: "<"):
                for opening in HTMLBlockFilter.openings where HTMLBlockFilter.matches(opening.pattern, in: line, at: position) {
                    let after = position + opening.pattern.count
                    if !opening.isElement || after == line.count || line[after] == UInt8(ascii: ">")
                        || line[after] == UInt8(ascii: "/") || isASCIIWhitespace(line[after]) {
                        return (position, opening)
                    }
                }
                position += 1
            default:
                position += 1
            }
        }
        return nil
    }

    /// The index after the code span whose opening backtick run starts at `open`, or after the run
    /// itself when no run of the same length closes it.
    private static func endOfCodeSpan(in line: [UInt8], at open: Int) -> Int {
        func runEnd(_ start: Int) -> Int {
            var end = start
            while end < line.count, line[end] == UInt8(ascii: "`") { end += 1 }
            return end
        }
        let openEnd = runEnd(open)
        var position = openEnd
        while position < line.count {
            guard line[position] == UInt8(ascii: "`") else {
                position += 1
                continue
            }
            let closeEnd = runEnd(position)
            if closeEnd - position == openEnd - open { return closeEnd }
            position = closeEnd
        }
        return openEnd
    }

    private static func find(_ pattern: [UInt8], in line: [UInt8], from start: Int) -> Int? {
        var position = start
        while position + pattern.count <= line.count {
            if matches(pattern, in: line, at: position) { return position }
            position += 1
        }
        return nil
    }

    /// Whether ASCII `pattern` occurs at `position`, ignoring letter case.
    private static func matches(_ pattern: [UInt8], in line: [UInt8], at position: Int) -> Bool {
        guard position + pattern.count <= line.count else { return false }
        return zip(pattern, line[position...]).allSatisfy { asciiLowercased($0) == asciiLowercased($1) }
    }
}
