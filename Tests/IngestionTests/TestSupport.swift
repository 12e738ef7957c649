import Foundation
import Ingestion
import Testing

/// The sample documents under `Fixtures/`, next to this file.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    static func path(_ name: String) -> String {
        directory + "/" + name
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOfFile: path(name), encoding: .utf8)
    }
}

/// A fresh directory under the system temporary directory, removed with everything in it on deinit.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ingestion-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `bytes` to `name` (creating parent directories) and returns the file's path.
    @discardableResult
    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true
        )
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }

    /// Writes `text` as UTF-8 to `name` and returns the file's path.
    @discardableResult
    func write(_ name: String, text: String) throws -> String {
        try write(name, bytes: Array(text.utf8))
    }

    /// Creates a symbolic link at `name` pointing to `target` and returns the link's path.
    @discardableResult
    func symlink(_ name: String, to target: String) throws -> String {
        let link = path + "/" + name
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        return link
    }
}

/// Checks everything a chunking of `text` must satisfy: consecutive indices, non-empty chunks of at
/// most `size` characters, each chunk being the text at its offset, each chunk after the first
/// starting exactly `overlap` characters before the previous one ends, the hash being the SHA-256 of
/// the chunk's UTF-8, and the chunks together covering the whole text.
func expectValidChunking(_ chunks: [Chunk], of text: String, size: Int, overlap: Int, sourceLocation: SourceLocation = #_sourceLocation) {
    guard !text.isEmpty else {
        #expect(chunks.isEmpty, sourceLocation: sourceLocation)
        return
    }
    let characters = Array(text)
    var rebuilt = ""
    for (position, chunk) in chunks.enumerated() {
        let length = chunk.text.count
        #expect(chunk.index == position, sourceLocation: sourceLocation)
        #expect(length >= 1 && length <= size, "chunk \(position) has \(length) characters", sourceLocation: sourceLocation)
        #expect(chunk.hash == HexDigest.sha256(of: chunk.text), sourceLocation: sourceLocation)
        #expect(chunk.offset + length <= characters.count, sourceLocation: sourceLocation)
        guard chunk.offset + length <= characters.count else { return }
        #expect(String(characters[chunk.offset..<chunk.offset + length]) == chunk.text, "chunk \(position) is not the text at its offset", sourceLocation: sourceLocation)
        if position == 0 {
            #expect(chunk.offset == 0, sourceLocation: sourceLocation)
            rebuilt = chunk.text
        } else {
            let previous = chunks[position - 1]
            #expect(chunk.offset == previous.offset + previous.text.count - overlap, "chunk \(position) does not overlap by exactly \(overlap)", sourceLocation: sourceLocation)
            #expect(String(chunk.text.prefix(overlap)) == String(previous.text.suffix(overlap)), sourceLocation: sourceLocation)
            rebuilt += chunk.text.dropFirst(overlap)
        }
    }
    #expect(rebuilt == text, "chunks do not cover the text exactly", sourceLocation: sourceLocation)
}
