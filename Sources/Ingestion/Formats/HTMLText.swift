/// Converts HTML to plain text.
///
/// - Text outside tags is kept with runs of whitespace collapsed; inside `<pre>` line breaks stay.
/// - Comments, doctypes and processing instructions are dropped, and so are the contents of
///   `script`, `style`, `noscript`, `template` and `svg` (unless written self-closing). That
///   empties the `<head>`: its `<title>` becomes the title rather than text, and its other
///   elements hold no text.
/// - Block elements become paragraph breaks; `br`, `li`, `tr`, `dt`, `dd` and `option` start a new
///   line; table cells are separated by spaces.
/// - Character references are decoded.
/// - The title is the `<title>`, else the first `h1`–`h6`.
enum HTMLText {
    /// Returns the text (not yet whitespace-normalised) and the title, if any.
    static func convert(_ html: String) -> (text: String, title: String?) {
        var converter = Converter(bytes: Array(html.utf8))
        converter.run()
        let title = converter.title ?? converter.firstHeading
        return (String(decoding: converter.output, as: UTF8.self), title.map { String(decoding: $0, as: UTF8.self) })
    }

    private static let paragraphElements: Set<String> = [
        "address", "article", "aside", "blockquote", "caption", "center", "details", "dialog", "div", "dl",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hgroup", "hr", "legend", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody",
        "tfoot", "thead", "ul",
    ]
    private static let lineElements: Set<String> = ["br", "dd", "dt", "li", "option", "tr"]
    private static let cellElements: Set<String> = ["td", "th"]
    private static let droppedElements: Set<String> = ["noscript", "script", "style", "svg", "template"]
    private static let headingElements: Set<String> = ["h1", "h2", "h3", "h4", "h5", "h6"]
    private static let commentOpening = Array("<!--".utf8)
    private static let commentClosing = Array("-->".utf8)
    private static let tagClosing = Array(">".utf8)

    private struct Converter {
        let bytes: [UInt8]
        var output: [UInt8] = []
        var title: [UInt8]?
        var firstHeading: [UInt8]?
        private var headingInProgress: [UInt8]?
        private var index = 0
        private var preformattedDepth = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
            output.reserveCapacity(bytes.count)
        }

        mutating func run() {
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "<"), consumeMarkup() {
                    continue
                }
                if byte == UInt8(ascii: "&"), let reference = HTMLEntities.reference(in: bytes, at: index) {
                    var encoded: [UInt8] = []
                    encoded.appendUTF8(reference.scalar)
                    encoded.forEach { emit($0) }
                    index += reference.length
                    continue
                }
                emit(byte)
                index += 1
            }
        }

        /// Consumes a comment, declaration or tag at `index`; returns `false` when the `<` is just text.
        private mutating func consumeMarkup() -> Bool {
            if matches(HTMLText.commentOpening, at: index) {
                index = position(after: HTMLText.commentClosing, from: index + HTMLText.commentOpening.count)
                return true
            }
            guard index + 1 < bytes.count else { return false }
            let next = bytes[index + 1]
            if next == UInt8(ascii: "!") || next == UInt8(ascii: "?") {
                index = position(after: HTMLText.tagClosing, from: index + 2)
                return true
            }
            let isEndTag = next == UInt8(ascii: "/")
            let nameStart = index + (isEndTag ? 2 : 1)
            guard nameStart < bytes.count, isASCIILetter(bytes[nameStart]) else { return false }
            var nameEnd = nameStart
            while nameEnd < bytes.count, isASCIIAlphanumeric(bytes[nameEnd]) || bytes[nameEnd] == UInt8(ascii: "-") || bytes[nameEnd] == UInt8(ascii: ":") {
                nameEnd += 1
            }
            let name = String(decoding: bytes[nameStart..<nameEnd], as: UTF8.self).lowercased()
            index = HTMLTagScanner.indexAfterTag(in: bytes, from: nameEnd, upTo: bytes.count) ?? bytes.count
            if isEndTag {
                endElement(name)
            } else {
                let isSelfClosing = index >= 2 && bytes[index - 1] == UInt8(ascii: ">") && bytes[index - 2] == UInt8(ascii: "/")
                startElement(name, isSelfClosing: isSelfClosing)
            }
            return true
        }

        private mutating func startElement(_ name: String, isSelfClosing: Bool) {
            switch name {
            case _ where isSelfClosing && (name == "title" || HTMLText.droppedElements.contains(name)):
                return
            case "title":
                let contentEnd = closingTagStart(of: name, from: index)
                if title == nil {
                    title = decodedReferences(in: bytes[index..<contentEnd])
                }
                index = position(after: HTMLText.tagClosing, from: contentEnd)
            case _ where HTMLText.droppedElements.contains(name):
                index = position(after: HTMLText.tagClosing, from: closingTagStart(of: name, from: index))
            default:
                if name == "pre" { preformattedDepth += 1 }
                if HTMLText.headingElements.contains(name), firstHeading == nil { headingInProgress = [] }
                emitBreak(for: name, atStart: true)
            }
        }

        private mutating func endElement(_ name: String) {
            if name == "pre" { preformattedDepth = max(0, preformattedDepth - 1) }
            if HTMLText.headingElements.contains(name), let heading = headingInProgress {
                headingInProgress = nil
                if heading.contains(where: { !isASCIIWhitespace($0) }) { firstHeading = heading }
            }
            emitBreak(for: name, atStart: false)
        }

        /// The separator a start or end tag leaves in the text; line elements break only where they start.
        private mutating func emitBreak(for name: String, atStart: Bool) {
            if HTMLText.paragraphElements.contains(name) {
                output.append(contentsOf: [0x0A, 0x0A])
            } else if HTMLText.lineElements.contains(name) {
                if atStart { output.append(0x0A) }
            } else if HTMLText.cellElements.contains(name) {
                output.append(0x20)
            }
        }

        private mutating func emit(_ byte: UInt8) {
            let kept = preformattedDepth == 0 && isASCIIWhitespace(byte) ? 0x20 : byte
            output.append(kept)
            headingInProgress?.append(kept)
        }

        /// Where `</name` (case-insensitive, followed by whitespace, `/` or `>`) starts, or the end.
        private func closingTagStart(of name: String, from start: Int) -> Int {
            let closing = Array("</\(name)".utf8)
            var position = start
            while position + closing.count <= bytes.count {
                if matches(closing, at: position) {
                    let after = position + closing.count
                    if after == bytes.count || bytes[after] == UInt8(ascii: ">") || bytes[after] == UInt8(ascii: "/") || isASCIIWhitespace(bytes[after]) {
                        return position
                    }
                }
                position += 1
            }
            return bytes.count
        }

        private func position(after pattern: [UInt8], from start: Int) -> Int {
            var position = start
            while position + pattern.count <= bytes.count {
                if matches(pattern, at: position) { return position + pattern.count }
                position += 1
            }
            return bytes.count
        }

        /// Whether `pattern` (ASCII, compared case-insensitively for letters) occurs at `position`.
        private func matches(_ pattern: [UInt8], at position: Int) -> Bool {
            guard position + pattern.count <= bytes.count else { return false }
            for offset in 0..<pattern.count where asciiLowercased(bytes[position + offset]) != asciiLowercased(pattern[offset]) {
                return false
            }
            return true
        }

        private func decodedReferences(in slice: ArraySlice<UInt8>) -> [UInt8] {
            let content = Array(slice)
            var decoded: [UInt8] = []
            var position = 0
            while position < content.count {
                if content[position] == UInt8(ascii: "&"), let reference = HTMLEntities.reference(in: content, at: position) {
                    decoded.appendUTF8(reference.scalar)
                    position += reference.length
                } else {
                    decoded.append(content[position])
                    position += 1
                }
            }
            return decoded
        }
    }
}

/// Whether `byte` is an ASCII letter.
func isASCIILetter(_ byte: UInt8) -> Bool {
    (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
}

/// Whether `byte` is ASCII space, tab, line feed, vertical tab, form feed or carriage return.
func isASCIIWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || (0x09...0x0D).contains(byte)
}

/// `byte` with ASCII capital letters lowered.
func asciiLowercased(_ byte: UInt8) -> UInt8 {
    (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
}
