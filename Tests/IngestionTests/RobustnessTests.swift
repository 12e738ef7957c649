import Foundation
import Ingestion
import Testing

/// A small deterministic pseudo-random generator (SplitMix64), so failures can be replayed.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

@Suite("Robustness")
struct RobustnessTests {
    private static let markupPieces = [
        "<", ">", "</", "<!--", "-->", "<script>", "</script>", "<style", "<p>", "<br>", "<h1>", "</h1>",
        "<title>", "&", "&amp;", "&#", "&#x", "1F600;", ";", "*", "**", "_", "~~", "`", "```", "[", "]",
        "(", ")", "!", "\\", "#", "# ", "> ", "- ", "1. ", "|", "---", "\n", "\n\n", "\r\n", " ", "\t",
        "word", "é", "e\u{301}", "👨‍👩‍👧‍👦", "🇫🇷", ".", "? ", "\u{0}", "\u{2029}", "\u{FEFF}",
    ]

    @Test func randomMarkupNeverCrashesAndAlwaysChunksValidly() throws {
        var generator = SeededGenerator(state: 20_240_601)
        let chunker = try Chunker(size: 24, overlap: 5)
        for _ in 0..<400 {
            let pieceCount = Int.random(in: 0...60, using: &generator)
            let source = (0..<pieceCount).map { _ in Self.markupPieces.randomElement(using: &generator)! }.joined()
            for format in DocumentFormat.allCases {
                let extracted = ExtractedText.extract(from: source, format: format)
                #expect(!extracted.text.hasPrefix(" ") && !extracted.text.hasSuffix("\n"))
                #expect(!extracted.text.contains("\n\n\n"))
                expectValidChunking(chunker.chunks(of: extracted.text), of: extracted.text, size: 24, overlap: 5)
            }
        }
    }

    @Test func randomBytesGiveADocumentOrATypedErrorNeverACrash() throws {
        var generator = SeededGenerator(state: 7)
        let ingester = try DocumentIngester(options: IngestionOptions(chunkSize: 50, chunkOverlap: 10))
        var outcomes: Set<String> = []
        for round in 0..<300 {
            let length = Int.random(in: 0...200, using: &generator)
            let highBytes = round % 3 == 0
            let bytes = (0..<length).map { _ in
                highBytes ? UInt8.random(in: 0...255, using: &generator) : UInt8.random(in: 0x20...0x7E, using: &generator)
            }
            do {
                let document = try ingester.ingest(contents: bytes, path: "/kb/random-\(round).md", modifiedAt: Date())
                #expect(document.byteSize == length)
                outcomes.insert("document")
            } catch {
                #expect([.binaryContent, .invalidEncoding].contains(error.code))
                outcomes.insert(error.code.rawValue)
            }
        }
        #expect(outcomes.contains("document"))
        #expect(outcomes.count >= 2)
    }
}
