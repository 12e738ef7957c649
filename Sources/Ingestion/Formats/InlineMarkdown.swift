/// Strips inline Markdown markup from one line, keeping the text a reader would see.
struct InlineMarkdown {
    private let bytes: [UInt8]

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Returns `line` with emphasis, links, images, code spans, autolinks, HTML tags (a `<br>`
    /// becomes a line break), backslash escapes and character references turned into plain text.
    static func render(_ line: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(line.count)
        InlineMarkdown(bytes: line).render(0..<line.count, into: &output)
        return output
    }

    private func render(_ range: Range<Int>, into output: inout [UInt8]) {
        var index = range.lowerBound
        let end = range.upperBound
        while index < end {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\\") where index + 1 < end && isASCIIPunctuation(bytes[index + 1]):
                output.append(bytes[index + 1])
                index += 2
            case UInt8(ascii: "`"):
                let run = runLength(at: index, end: end)
                if let close = closingBacktickRun(length: run, from: index + run, end: end) {
                    output.append(contentsOf: codeSpanContent(index + run..<close))
                    index = close + run
                } else {
                    output.append(contentsOf: bytes[index..<index + run])
                    index += run
                }
            case UInt8(ascii: "!") where index + 1 < end && bytes[index + 1] == UInt8(ascii: "["):
                if let link = link(openingAt: index + 1, end: end) {
                    render(link.text, into: &output)
                    index = link.end
                } else {
                    output.append(byte)
                    index += 1
                }
            case UInt8(ascii: "["):
                if let link = link(openingAt: index, end: end) {
                    render(link.text, into: &output)
                    index = link.end
                } else {
                    output.append(byte)
                    index += 1
                }
            case UInt8(ascii: "<"):
                if let address = autolink(at: index, end: end) {
                    output.append(contentsOf: bytes[address])
                    index = address.upperBound + 1
                } else if let tag = htmlTag(at: index, end: end) {
                    if tag.isLineBreak { output.append(0x0A) }
                    index = tag.end
                } else {
                    output.append(byte)
                    index += 1
                }
            case UInt8(ascii: "&"):
                if let reference = HTMLEntities.reference(in: bytes, at: index), index + reference.length <= end {
                    output.appendUTF8(reference.scalar)
                    index += reference.length
                } else {
                    output.append(byte)
                    index += 1
                }
            case UInt8(ascii: "*"), UInt8(ascii: "_"), UInt8(ascii: "~"):
                let run = runLength(at: index, end: end)
                if let inner = emphasis(at: index, run: run, end: end) {
                    render(inner, into: &output)
                    index = inner.upperBound + run
                } else {
                    output.append(contentsOf: bytes[index..<index + run])
                    index += run
                }
            default:
                output.append(byte)
                index += 1
            }
        }
    }

    /// How many copies of the byte at `index` follow one another from there.
    private func runLength(at index: Int, end: Int) -> Int {
        var position = index
        while position < end, bytes[position] == bytes[index] { position += 1 }
        return position - index
    }

    private func closingBacktickRun(length: Int, from start: Int, end: Int) -> Int? {
        var position = start
        while position < end {
            if bytes[position] == UInt8(ascii: "`") {
                let run = runLength(at: position, end: end)
                if run == length { return position }
                position += run
            } else {
                position += 1
            }
        }
        return nil
    }

    /// A code span's content: one space is trimmed from each side when both sides have one.
    private func codeSpanContent(_ range: Range<Int>) -> ArraySlice<UInt8> {
        let content = bytes[range]
        if content.count >= 2, content.first == 0x20, content.last == 0x20, content.contains(where: { $0 != 0x20 }) {
            return content.dropFirst().dropLast()
        }
        return content
    }

    /// Parses `[text](destination)` or `[text][label]` starting at the `[` at `open`.
    private func link(openingAt open: Int, end: Int) -> (text: Range<Int>, end: Int)? {
        guard let close = matching(UInt8(ascii: "]"), for: UInt8(ascii: "["), from: open, end: end) else { return nil }
        let after = close + 1
        guard after < end else { return nil }
        switch bytes[after] {
        case UInt8(ascii: "("):
            guard let destinationEnd = matching(UInt8(ascii: ")"), for: UInt8(ascii: "("), from: after, end: end) else { return nil }
            return (open + 1..<close, destinationEnd + 1)
        case UInt8(ascii: "["):
            guard let labelEnd = matching(UInt8(ascii: "]"), for: UInt8(ascii: "["), from: after, end: end) else { return nil }
            return (open + 1..<close, labelEnd + 1)
        default:
            return nil
        }
    }

    /// The index of the bracket that closes the one at `open`, allowing nesting and escapes.
    private func matching(_ closer: UInt8, for opener: UInt8, from open: Int, end: Int) -> Int? {
        var depth = 0
        var position = open
        while position < end {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\\") {
                position += 2
                continue
            }
            if byte == opener {
                depth += 1
            } else if byte == closer {
                depth -= 1
                if depth == 0 { return position }
            }
            position += 1
        }
        return nil
    }

    /// The address inside `<scheme:...>` or `<name@host>`, if the `<` at `open` starts an autolink.
    private func autolink(at open: Int, end: Int) -> Range<Int>? {
        var position = open + 1
        while position < end, bytes[position] != UInt8(ascii: ">") {
            let byte = bytes[position]
            if byte == UInt8(ascii: "<") || isASCIIWhitespace(byte) { return nil }
            position += 1
        }
        guard position < end else { return nil }
        let address = open + 1..<position
        let content = bytes[address]
        guard let first = content.first, isASCIILetter(first) else { return nil }
        if let colon = content.firstIndex(of: UInt8(ascii: ":")), colon > address.lowerBound + 1,
           content[address.lowerBound..<colon].allSatisfy({ isASCIIAlphanumeric($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }) {
            return address
        }
        return content.contains(UInt8(ascii: "@")) ? address : nil
    }

    /// The HTML tag (`<name ...>`, `</name>`) starting at `open`, if there is one: the index after
    /// it, and whether it is a `<br>`.
    private func htmlTag(at open: Int, end: Int) -> (end: Int, isLineBreak: Bool)? {
        var position = open + 1
        if position < end, bytes[position] == UInt8(ascii: "/") { position += 1 }
        let nameStart = position
        guard position < end, isASCIILetter(bytes[position]) else { return nil }
        while position < end, isASCIIAlphanumeric(bytes[position]) || bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < end else { return nil }
        let isLineBreak = bytes[nameStart..<position].map(asciiLowercased).elementsEqual("br".utf8)
        let afterName = bytes[position]
        guard afterName == UInt8(ascii: ">") || afterName == UInt8(ascii: "/") || isASCIIWhitespace(afterName) else { return nil }
        guard let tagEnd = HTMLTagScanner.indexAfterTag(in: bytes, from: position, upTo: end) else { return nil }
        return (tagEnd, isLineBreak)
    }

    /// The content between an emphasis delimiter run at `open` and a matching closing run.
    ///
    /// A run opens when followed by non-whitespace and closes when preceded by non-whitespace; `_`
    /// runs must also not touch a letter or digit outside (so `snake_case_name` stays as is). `~`
    /// only counts as a pair of two (strike-through).
    private func emphasis(at open: Int, run: Int, end: Int) -> Range<Int>? {
        let marker = bytes[open]
        if marker == UInt8(ascii: "~"), run != 2 { return nil }
        let contentStart = open + run
        guard contentStart < end, !isASCIIWhitespace(bytes[contentStart]) else { return nil }
        if marker == UInt8(ascii: "_"), open > 0, isWordByte(bytes[open - 1]) { return nil }
        var position = contentStart
        while position < end {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\\") {
                position += 2
                continue
            }
            if byte == UInt8(ascii: "`") {
                let ticks = runLength(at: position, end: end)
                position = closingBacktickRun(length: ticks, from: position + ticks, end: end).map { $0 + ticks } ?? position + ticks
                continue
            }
            guard byte == marker else {
                position += 1
                continue
            }
            let closingRun = runLength(at: position, end: end)
            let after = position + closingRun
            let closes = closingRun == run && position > contentStart && !isASCIIWhitespace(bytes[position - 1])
                && (marker != UInt8(ascii: "_") || after == end || !isWordByte(bytes[after]))
            if closes { return contentStart..<position }
            position = after
        }
        return nil
    }
}

/// Whether `byte` is ASCII punctuation (the characters a Markdown backslash can escape).
private func isASCIIPunctuation(_ byte: UInt8) -> Bool {
    (0x21...0x2F).contains(byte) || (0x3A...0x40).contains(byte) || (0x5B...0x60).contains(byte) || (0x7B...0x7E).contains(byte)
}

/// Whether `byte` can be part of a word: an ASCII letter or digit, or any byte of a non-ASCII character.
private func isWordByte(_ byte: UInt8) -> Bool {
    isASCIIAlphanumeric(byte) || byte >= 0x80
}
