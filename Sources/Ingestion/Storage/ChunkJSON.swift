import Foundation

/// The JSON form of a chunk in a document's chunk list:
/// `{"index":0,"offset":0,"hash":"<sha-256 hex>","text":"..."}`, keys in that order, text last so
/// it reads well in `redis-cli`. Non-ASCII text is written as UTF-8, not escaped.
enum ChunkJSON {
    /// Encodes a chunk; cannot fail.
    static func encode(_ chunk: Chunk) -> [UInt8] {
        var json: [UInt8] = []
        json.reserveCapacity(chunk.text.utf8.count + 120)
        json.append(contentsOf: #"{"index":\#(chunk.index),"offset":\#(chunk.offset),"hash":""#.utf8)
        json.append(contentsOf: chunk.hash.utf8)
        json.append(contentsOf: #"","text":""#.utf8)
        appendEscaped(chunk.text, to: &json)
        json.append(contentsOf: #""}"#.utf8)
        return json
    }

    /// Decodes the chunk stored at `position` of a chunk list, checking that its index is its
    /// position and that its hash is the SHA-256 of its text.
    /// - Throws: ``DocumentStoreError`` with code ``DocumentStoreError/Code/corruptRecord`` naming
    ///   what is wrong.
    static func decode(_ bytes: [UInt8], position: Int, key: String) throws(DocumentStoreError) -> Chunk {
        func corrupt(_ problem: String) -> DocumentStoreError {
            DocumentStoreError(code: .corruptRecord, message: "chunk \(position) of \(key) \(problem); ingest the file again to rewrite it")
        }
        let record: Record
        do {
            record = try JSONDecoder().decode(Record.self, from: Data(bytes))
        } catch {
            throw corrupt("is not a JSON object with index, offset, hash and text")
        }
        guard record.index == position else { throw corrupt("says it is chunk \(record.index)") }
        let chunk = Chunk(index: record.index, text: record.text, offset: record.offset)
        guard chunk.hash == record.hash else { throw corrupt("has a hash that does not match its text") }
        return chunk
    }

    private struct Record: Decodable {
        var index: Int
        var offset: Int
        var hash: String
        var text: String
    }

    /// Appends `text` as the inside of a JSON string: quote, backslash and control characters
    /// escaped, everything else as is.
    private static func appendEscaped(_ text: String, to json: inout [UInt8]) {
        let hexDigits = Array("0123456789abcdef".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): json.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): json.append(contentsOf: #"\\"#.utf8)
            case 0x0A: json.append(contentsOf: #"\n"#.utf8)
            case 0x0D: json.append(contentsOf: #"\r"#.utf8)
            case 0x09: json.append(contentsOf: #"\t"#.utf8)
            case 0x00..<0x20:
                json.append(contentsOf: #"\u00"#.utf8)
                json.append(hexDigits[Int(byte >> 4)])
                json.append(hexDigits[Int(byte & 0x0F)])
            default: json.append(byte)
            }
        }
    }
}
