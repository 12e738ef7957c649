/// Cuts normalised text into overlapping chunks of bounded size.
///
/// Each chunk holds at most ``size`` characters, and each chunk after the first starts exactly
/// ``overlap`` characters before the previous one ends, so the two share those characters.
/// A chunk ends, in order of preference, after a paragraph break (a blank line), after a sentence
/// end (`.`, `!` or `?` followed by a space or line break), after a space or line break, or, when the
/// window has none of these, exactly at ``size`` characters. Breaks that would leave a chunk shorter
/// than half of ``size`` (or not longer than ``overlap``) are not used, so chunks stay well filled and
/// every chunk moves past the previous one. The same text and settings always give the same chunks.
public struct Chunker: Sendable {
    /// The most characters a chunk may hold.
    public let size: Int
    /// How many characters each chunk shares with the end of the previous one.
    public let overlap: Int

    /// Creates a chunker.
    /// - Throws: ``IngestionError`` with code ``IngestionError/Code/invalidOptions`` unless
    ///   `size >= 1` and `0 <= overlap < size`.
    public init(size: Int, overlap: Int) throws(IngestionError) {
        try IngestionOptions(chunkSize: size, chunkOverlap: overlap).validate()
        self.size = size
        self.overlap = overlap
    }

    /// Creates a chunker from ``IngestionOptions/chunkSize`` and ``IngestionOptions/chunkOverlap``.
    /// - Throws: ``IngestionError`` with code ``IngestionError/Code/invalidOptions`` for inconsistent options.
    public init(options: IngestionOptions) throws(IngestionError) {
        try self.init(size: options.chunkSize, overlap: options.chunkOverlap)
    }

    /// Splits `text` into chunks; empty text gives no chunks.
    public func chunks(of text: String) -> [Chunk] {
        if let chunks = text.utf8.withContiguousStorageIfAvailable({ chunks(of: text, utf8: $0) }) {
            return chunks
        }
        var contiguous = text
        contiguous.makeContiguousUTF8()
        return chunks(of: contiguous)
    }

    private func chunks(of text: String, utf8: UnsafeBufferPointer<UInt8>) -> [Chunk] {
        var chunks: [Chunk] = []
        var scanner = WindowScanner(text: text, utf8: utf8, size: size, shortestPreferredChunk: max(size / 2, overlap + 1))
        var start = 0
        var startOffset = 0
        while start < utf8.count {
            let cut = scanner.bestCut(from: start)
            let end = cut?.byteOffset ?? utf8.count
            let chunkText = String(decoding: UnsafeBufferPointer(rebasing: utf8[start..<end]), as: UTF8.self)
            chunks.append(Chunk(index: chunks.count, text: chunkText, offset: startOffset))
            guard let cut else { break }
            start = scanner.characterStart(cut.length - overlap)
            startOffset += cut.length - overlap
        }
        return chunks
    }
}

/// A place a chunk may end: the UTF-8 offset just past its last character, and the chunk's length
/// in characters.
private struct Cut {
    var byteOffset: Int
    var length: Int
}

/// What a character means for choosing where to cut.
private enum CharacterRole {
    case newline, space, sentenceEnd, other

    init(ascii byte: UInt8) {
        switch byte {
        case 0x0A...0x0D: self = .newline
        case 0x09, 0x20: self = .space
        case UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "?"): self = .sentenceEnd
        default: self = .other
        }
    }

    init(_ character: Character) {
        if character.isNewline {
            self = .newline
        } else if character.isWhitespace {
            self = .space
        } else if character == "." || character == "!" || character == "?" {
            self = .sentenceEnd
        } else {
            self = .other
        }
    }

    var isWhitespace: Bool { self == .newline || self == .space }
}

/// Walks one window of up to `size` characters and finds where to cut it.
///
/// Works on the text's UTF-8 bytes. Two ASCII scalars other than CR LF are always two characters,
/// so ASCII text is walked a byte at a time; anywhere else the character is taken from the `String`,
/// whose grapheme breaking decides where it ends.
private struct WindowScanner {
    let text: String
    let utf8: UnsafeBufferPointer<UInt8>
    let size: Int
    let shortestPreferredChunk: Int
    /// The UTF-8 offset of each character of the last window scanned, by position in the window.
    private var characterStarts: [Int] = []

    init(text: String, utf8: UnsafeBufferPointer<UInt8>, size: Int, shortestPreferredChunk: Int) {
        self.text = text
        self.utf8 = utf8
        self.size = size
        self.shortestPreferredChunk = shortestPreferredChunk
        characterStarts.reserveCapacity(size + 1)
    }

    /// The UTF-8 offset of the character `position` characters into the last window scanned.
    func characterStart(_ position: Int) -> Int {
        characterStarts[position]
    }

    /// Where to end the chunk that starts at UTF-8 offset `start`: after the last paragraph break,
    /// else the last sentence end, else the last space in the window that leaves the chunk at least
    /// `shortestPreferredChunk` long, else at `size` characters. `nil` when the rest of the text fits.
    mutating func bestCut(from start: Int) -> Cut? {
        characterStarts.removeAll(keepingCapacity: true)
        var paragraphBreak: Cut?
        var sentenceBreak: Cut?
        var wordBreak: Cut?
        var previous = CharacterRole.other
        var beforePrevious = CharacterRole.other
        var position = start
        var length = 0
        while position < utf8.count {
            characterStarts.append(position)
            let byte = utf8[position]
            let role: CharacterRole
            let next: Int
            if byte < 0x80, byte != 0x0D, position + 1 == utf8.count || utf8[position + 1] < 0x80 {
                role = CharacterRole(ascii: byte)
                next = position + 1
            } else {
                let character = text[text.utf8.index(text.utf8.startIndex, offsetBy: position)]
                role = CharacterRole(character)
                next = position + character.utf8.count
            }
            if length >= shortestPreferredChunk, previous.isWhitespace, !role.isWhitespace {
                let cut = Cut(byteOffset: position, length: length)
                if previous == .newline, beforePrevious == .newline {
                    paragraphBreak = cut
                } else if beforePrevious == .sentenceEnd {
                    sentenceBreak = cut
                } else {
                    wordBreak = cut
                }
            }
            if length == size {
                return paragraphBreak ?? sentenceBreak ?? wordBreak ?? Cut(byteOffset: position, length: length)
            }
            beforePrevious = previous
            previous = role
            position = next
            length += 1
        }
        return nil
    }
}
