/// Turns a file's bytes into text, or explains why they are not text.
///
/// Policy: content must be UTF-8. A UTF-8 byte-order mark is skipped. Files with a UTF-16 or UTF-32
/// byte-order mark, and files that are not valid UTF-8 (Latin-1, Windows-1252, ...), are rejected
/// with ``IngestionError/Code/invalidEncoding`` naming the first bad byte, rather than guessed at:
/// a wrong guess would store mojibake that looks like success. Content with a NUL byte, or where
/// more than a tenth of the bytes are control characters other than tab, line feed, vertical tab,
/// form feed, carriage return and escape, is rejected as ``IngestionError/Code/binaryContent``.
enum TextDecoding {
    /// The share of control bytes above which content counts as binary.
    static let binaryControlByteShare = 0.10

    /// Decodes `bytes` as UTF-8 text.
    /// - Parameters:
    ///   - bytes: The whole file.
    ///   - path: The file's path, for error messages.
    /// - Throws: ``IngestionError`` with code `invalidEncoding` or `binaryContent`.
    static func decode(_ bytes: [UInt8], path: String) throws(IngestionError) -> String {
        if let wideEncoding = wideByteOrderMark(in: bytes) {
            throw IngestionError(
                code: .invalidEncoding,
                message: "the file starts with a \(wideEncoding) byte-order mark; convert it to UTF-8 (for example with iconv -f \(wideEncoding) -t UTF-8)",
                path: path,
                byteOffset: 0
            )
        }
        let bodyStart = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let body = bytes[bodyStart...]
        try rejectBinary(body, path: path)
        if let text = String(validating: body, as: UTF8.self) {
            return text
        }
        let offset = firstInvalidUTF8Offset(in: body) ?? bodyStart
        throw IngestionError(
            code: .invalidEncoding,
            message: "the file is not valid UTF-8: byte 0x\(hexByte(bytes[offset])) at offset \(offset) does not decode; convert the file to UTF-8 (for example with iconv -f LATIN1 -t UTF-8 if it is Latin-1)",
            path: path,
            byteOffset: offset
        )
    }

    private static func wideByteOrderMark(in bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) { return "UTF-32BE" }
        if bytes.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return "UTF-32LE" }
        if bytes.starts(with: [0xFE, 0xFF]) { return "UTF-16BE" }
        if bytes.starts(with: [0xFF, 0xFE]) { return "UTF-16LE" }
        return nil
    }

    private static func rejectBinary(_ body: ArraySlice<UInt8>, path: String) throws(IngestionError) {
        var firstControl: Int?
        var controlCount = 0
        for index in body.indices {
            let byte = body[index]
            if byte == 0 {
                throw IngestionError(
                    code: .binaryContent,
                    message: "the file contains a NUL byte at offset \(index), so it is binary, not text; only text, Markdown and HTML files can be ingested",
                    path: path,
                    byteOffset: index
                )
            }
            if isBinaryControl(byte) {
                controlCount += 1
                if firstControl == nil { firstControl = index }
            }
        }
        if let firstControl, Double(controlCount) > Double(body.count) * binaryControlByteShare {
            throw IngestionError(
                code: .binaryContent,
                message: "\(controlCount) of \(body.count) bytes are control characters, so the file is binary, not text; only text, Markdown and HTML files can be ingested",
                path: path,
                byteOffset: firstControl
            )
        }
    }

    /// Control bytes that do not occur in ordinary text files.
    private static func isBinaryControl(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x09...0x0D, 0x1B: false
        case 0x00...0x1F, 0x7F: true
        default: false
        }
    }

    /// The offset (in the same index space as `bytes`) of the first byte that is not part of a
    /// well-formed UTF-8 sequence, or `nil` if all of `bytes` is valid.
    static func firstInvalidUTF8Offset(in bytes: ArraySlice<UInt8>) -> Int? {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = bytes.startIndex
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                offset += encoded.count
            case .emptyInput:
                return nil
            case .error:
                return offset
            }
        }
    }

    private static func hexByte(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return digits.count == 1 ? "0" + digits : digits
    }
}
