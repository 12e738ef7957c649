/// Converts Markdown to plain text, one line at a time.
///
/// - A leading YAML front matter block is dropped.
/// - Headings (`#` and underlined) lose their markers and stand as their own paragraph; the first
///   one is the title.
/// - Fenced code blocks keep their content verbatim, without the fence lines.
/// - List items stay one per line; `-`, `*` and `+` bullets are dropped, ordered numbers kept.
/// - Block quote markers, thematic breaks, table delimiter rows, table pipes and link reference
///   definitions are dropped.
/// - Inline: emphasis and strike-through markers are dropped, links and images become their text,
///   autolinks their address, code spans their content, backslash escapes their character, and
///   character references are decoded.
/// - HTML inside Markdown: tags are dropped (`<br>` becomes a line break); comments and
///   `script`/`style` elements are dropped with their content (see ``HTMLBlockFilter`` for when
///   that spans lines).
/// - Indented code blocks are kept as ordinary text.
enum MarkdownText {
    /// Returns the text (not yet whitespace-normalised) and the first heading, if any.
    static func convert(_ markdown: String) -> (text: String, title: String?) {
        var converter = Converter()
        let lines = Array(markdown.utf8).split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            line.last == 0x0D ? line.dropLast() : line
        }
        for line in lines.dropFirst(frontMatterLineCount(lines)) {
            converter.take(Array(line))
        }
        return (
            String(decoding: converter.output, as: UTF8.self),
            converter.title.map { String(decoding: $0, as: UTF8.self) }
        )
    }

    private struct Fence {
        var marker: UInt8
        var length: Int
    }

    private struct Converter {
        var output: [UInt8] = []
        var title: [UInt8]?
        private var fence: Fence?
        private var htmlFilter = HTMLBlockFilter()
        /// The rendered previous line, when it was paragraph text that an underline could turn into a heading.
        private var paragraphLine: [UInt8]?

        mutating func take(_ line: [UInt8]) {
            if let open = fence {
                if MarkdownText.closesFence(line, open) {
                    fence = nil
                    emitBlankLine()
                } else {
                    emitLine(line)
                }
                return
            }
            if let opened = MarkdownText.opensFence(line) {
                fence = opened
                paragraphLine = nil
                emitBlankLine()
                return
            }
            let filtered = htmlFilter.filter(line)
            let wasBlank = line.allSatisfy(isASCIIWhitespace)
            if filtered.allSatisfy(isASCIIWhitespace) {
                if wasBlank {
                    paragraphLine = nil
                    emitBlankLine()
                }
                return
            }
            takeBlock(MarkdownText.withoutQuoteMarkers(filtered))
        }

        private mutating func takeBlock(_ line: [UInt8]) {
            let body = line.drop(while: { $0 == 0x20 || $0 == 0x09 })
            if body.isEmpty {
                paragraphLine = nil
                emitBlankLine()
                return
            }
            if let heading = paragraphLine, MarkdownText.isSetextUnderline(body) {
                if title == nil { title = heading }
                paragraphLine = nil
                emitBlankLine()
                return
            }
            paragraphLine = nil
            if MarkdownText.isThematicBreak(body) {
                emitBlankLine()
                return
            }
            if let headingText = MarkdownText.atxHeadingText(body) {
                let rendered = InlineMarkdown.render(Array(headingText))
                if title == nil { title = rendered }
                emitBlankLine()
                emitLine(rendered)
                emitBlankLine()
                return
            }
            if MarkdownText.isReferenceDefinition(body) || MarkdownText.isTableDelimiterRow(body) {
                return
            }
            if let item = MarkdownText.listItemText(body) {
                emitLine(InlineMarkdown.render(Array(item)))
                return
            }
            let text = body.first == UInt8(ascii: "|") ? MarkdownText.withoutTablePipes(body) : Array(body)
            let rendered = InlineMarkdown.render(text)
            emitLine(rendered)
            paragraphLine = rendered
        }

        private mutating func emitLine(_ line: [UInt8]) {
            output.append(contentsOf: line)
            output.append(0x0A)
        }

        private mutating func emitBlankLine() {
            output.append(0x0A)
        }
    }

    // MARK: Block syntax

    /// How many lines a leading YAML front matter block (`---` ... `---` or `...`) spans; 0 when
    /// there is none.
    private static func frontMatterLineCount(_ lines: [ArraySlice<UInt8>]) -> Int {
        func isLine(_ line: ArraySlice<UInt8>, _ marker: String) -> Bool {
            var trimmed = line
            while let last = trimmed.last, isASCIIWhitespace(last) { trimmed = trimmed.dropLast() }
            return trimmed.elementsEqual(marker.utf8)
        }
        guard let first = lines.first, isLine(first, "---") else { return 0 }
        guard let closing = lines.dropFirst().firstIndex(where: { isLine($0, "---") || isLine($0, "...") }) else { return 0 }
        return closing + 1
    }

    private static func leadingSpaces(_ line: some Collection<UInt8>) -> Int {
        line.prefix(while: { $0 == 0x20 }).count
    }

    private static func opensFence(_ line: [UInt8]) -> Fence? {
        let indent = leadingSpaces(line)
        guard indent <= 3 else { return nil }
        let rest = line.dropFirst(indent)
        guard let marker = rest.first, marker == UInt8(ascii: "`") || marker == UInt8(ascii: "~") else { return nil }
        let length = rest.prefix(while: { $0 == marker }).count
        guard length >= 3 else { return nil }
        if marker == UInt8(ascii: "`"), rest.dropFirst(length).contains(UInt8(ascii: "`")) { return nil }
        return Fence(marker: marker, length: length)
    }

    private static func closesFence(_ line: [UInt8], _ fence: Fence) -> Bool {
        let indent = leadingSpaces(line)
        guard indent <= 3 else { return false }
        let rest = line.dropFirst(indent)
        let length = rest.prefix(while: { $0 == fence.marker }).count
        return length >= fence.length && rest.dropFirst(length).allSatisfy(isASCIIWhitespace)
    }

    private static func withoutQuoteMarkers(_ line: [UInt8]) -> [UInt8] {
        var rest = line[...]
        while true {
            let indent = leadingSpaces(rest)
            guard indent <= 3, rest.dropFirst(indent).first == UInt8(ascii: ">") else { return Array(rest) }
            rest = rest.dropFirst(indent + 1)
            if rest.first == 0x20 { rest = rest.dropFirst() }
        }
    }

    private static func isSetextUnderline(_ body: ArraySlice<UInt8>) -> Bool {
        guard let marker = body.first, marker == UInt8(ascii: "=") || marker == UInt8(ascii: "-") else { return false }
        let run = body.prefix(while: { $0 == marker })
        return body.dropFirst(run.count).allSatisfy(isASCIIWhitespace)
    }

    private static func isThematicBreak(_ body: ArraySlice<UInt8>) -> Bool {
        guard let marker = body.first, [UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "_")].contains(marker) else { return false }
        let markers = body.filter { $0 == marker }.count
        return markers >= 3 && body.allSatisfy { $0 == marker || isASCIIWhitespace($0) }
    }

    /// The text of an ATX heading (`#` to `######`, then a space or the end), without a closing `#` run.
    private static func atxHeadingText(_ body: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        let level = body.prefix(while: { $0 == UInt8(ascii: "#") }).count
        guard (1...6).contains(level) else { return nil }
        var text = body.dropFirst(level)
        guard text.isEmpty || text.first == 0x20 || text.first == 0x09 else { return nil }
        while let last = text.last, isASCIIWhitespace(last) { text = text.dropLast() }
        let closing = text.reversed().prefix(while: { $0 == UInt8(ascii: "#") }).count
        let beforeClosing = text.dropLast(closing)
        if closing > 0, beforeClosing.isEmpty || beforeClosing.last == 0x20 || beforeClosing.last == 0x09 {
            text = beforeClosing
        }
        return text
    }

    /// Whether the line is a link reference definition such as `[id]: https://example.com`.
    private static func isReferenceDefinition(_ body: ArraySlice<UInt8>) -> Bool {
        guard body.first == UInt8(ascii: "["), let close = body.firstIndex(of: UInt8(ascii: "]")),
              close > body.startIndex + 1 else { return false }
        let after = close + 1
        return after < body.endIndex && body[after] == UInt8(ascii: ":")
    }

    /// Whether the line is a table's header delimiter row, such as `| --- | :---: |`.
    private static func isTableDelimiterRow(_ body: ArraySlice<UInt8>) -> Bool {
        body.contains(UInt8(ascii: "|")) && body.contains(UInt8(ascii: "-"))
            && body.allSatisfy { [UInt8(ascii: "|"), UInt8(ascii: "-"), UInt8(ascii: ":"), 0x20, 0x09].contains($0) }
    }

    private static func withoutTablePipes(_ body: ArraySlice<UInt8>) -> [UInt8] {
        var result: [UInt8] = []
        var previous: UInt8 = 0
        for byte in body {
            result.append(byte == UInt8(ascii: "|") && previous != UInt8(ascii: "\\") ? 0x20 : byte)
            previous = byte
        }
        return result
    }

    /// The content of a list item: unordered bullets removed, ordered numbers kept.
    private static func listItemText(_ body: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        guard let first = body.first else { return nil }
        if [UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "+")].contains(first) {
            let after = body.dropFirst()
            guard let separator = after.first, separator == 0x20 || separator == 0x09 else { return nil }
            return after.drop(while: { $0 == 0x20 || $0 == 0x09 })
        }
        let digits = body.prefix(while: { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }).count
        guard (1...9).contains(digits) else { return nil }
        let afterDigits = body.dropFirst(digits)
        guard let delimiter = afterDigits.first, delimiter == UInt8(ascii: ".") || delimiter == UInt8(ascii: ")") else { return nil }
        let afterDelimiter = afterDigits.dropFirst()
        guard let separator = afterDelimiter.first, separator == 0x20 || separator == 0x09 else { return nil }
        return body
    }
}
