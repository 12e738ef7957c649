import Foundation

/// Whitespace and Unicode normalisation shared by every format.
enum TextNormalizer {
    /// Normalises `text` to the form chunks are cut from.
    ///
    /// - Line ends (CR LF, CR, LF, VT, FF, NEL, U+2028) become `\n`; U+2029 is a paragraph break.
    /// - Runs of horizontal whitespace (space, tab, no-break and other Unicode spaces) become one
    ///   space; lines are trimmed.
    /// - At most one blank line separates paragraphs; leading and trailing blank lines are dropped.
    /// - Other control characters and byte-order marks are removed.
    /// - The result is in Unicode Normalization Form C.
    static func normalise(_ text: String) -> String {
        var source = text
        let normalised = source.withUTF8 { bytes in
            var output: [UInt8] = []
            output.reserveCapacity(bytes.count)
            var pendingNewlines = 0
            var pendingSpace = false
            var index = 0
            while index < bytes.count {
                let (kind, length) = classify(bytes, at: index)
                switch kind {
                case .lineBreak:
                    pendingNewlines += 1
                    pendingSpace = false
                case .paragraphBreak:
                    pendingNewlines += 2
                    pendingSpace = false
                case .space:
                    pendingSpace = true
                case .ignored:
                    break
                case .content:
                    if !output.isEmpty {
                        if pendingNewlines > 0 {
                            output.append(0x0A)
                            if pendingNewlines > 1 { output.append(0x0A) }
                        } else if pendingSpace {
                            output.append(0x20)
                        }
                    }
                    pendingNewlines = 0
                    pendingSpace = false
                    for offset in index..<index + length { output.append(bytes[offset]) }
                }
                index += length
            }
            return output
        }
        return composed(String(decoding: normalised, as: UTF8.self))
    }

    /// The kind of the scalar starting at `index` of valid UTF-8, and how many bytes it spans
    /// (a CR LF pair counts as one line break).
    private static func classify(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (ScalarKind, Int) {
        let lead = bytes[index]
        if lead < 0x80 {
            if lead > 0x20, lead != 0x7F { return (.content, 1) }
            if lead == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A {
                return (.lineBreak, 2)
            }
            return (ScalarKind(UInt32(lead)), 1)
        }
        let length = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
        var value = UInt32(lead) & (0xFF >> (length + 1))
        for offset in 1..<length {
            value = value << 6 | UInt32(bytes[index + offset] & 0x3F)
        }
        return (ScalarKind(value), length)
    }

    /// `text` in Normalization Form C.
    ///
    /// Text whose scalars are all below U+0300 is already in NFC (nothing there composes or
    /// decomposes), which in UTF-8 means no byte is 0xCC or higher; such text is returned as is.
    static func composed(_ text: String) -> String {
        let mayNeedComposition = text.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.contains { $0 >= 0xCC }
        } ?? true
        return mayNeedComposition ? text.precomposedStringWithCanonicalMapping : text
    }

    private enum ScalarKind {
        case content, space, lineBreak, paragraphBreak, ignored

        init(_ value: UInt32) {
            switch value {
            case 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028: self = .lineBreak
            case 0x2029: self = .paragraphBreak
            case 0x09, 0x20, 0xA0, 0x1680, 0x2000...0x200A, 0x202F, 0x205F, 0x3000: self = .space
            case 0x00...0x1F, 0x7F...0x9F, 0xFEFF: self = .ignored
            default: self = .content
            }
        }
    }
}
