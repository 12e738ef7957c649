import Ingestion
import Testing

@Suite("Chunker")
struct ChunkerTests {
    private func layout(_ chunks: [Chunk]) -> [(Int, String)] {
        chunks.map { ($0.offset, $0.text) }
    }

    @Test func chunkEndsAfterParagraphBreakEvenWhenLaterWordBreaksFit() throws {
        let text = "The queue keeps jobs safe.\n\nWorkers take one job at a time and ack it.\n\nDone."
        let chunks = try Chunker(size: 50, overlap: 10).chunks(of: text)
        #expect(chunks.map(\.offset) == [0, 18, 57])
        #expect(chunks.map(\.text) == [
            "The queue keeps jobs safe.\n\n",
            "bs safe.\n\nWorkers take one job at a time and ack ",
            "e and ack it.\n\nDone.",
        ])
        expectValidChunking(chunks, of: text, size: 50, overlap: 10)
    }

    @Test func chunkEndsAfterSentenceWhenNoParagraphBreakFits() throws {
        let text = "One two three four. Five six seven eight nine ten eleven twelve."
        let chunks = try Chunker(size: 40, overlap: 0).chunks(of: text)
        #expect(chunks.map(\.text) == ["One two three four. ", "Five six seven eight nine ten eleven ", "twelve."])
        #expect(chunks.map(\.offset) == [0, 20, 57])
    }

    @Test func paragraphBreakThatWouldLeaveChunkUnderHalfFullIsPassedOver() throws {
        let text = "Title\n\nalpha beta gamma delta epsilon zeta eta"
        let chunks = try Chunker(size: 30, overlap: 0).chunks(of: text)
        #expect(chunks.map(\.text) == ["Title\n\nalpha beta gamma delta ", "epsilon zeta eta"])
    }

    @Test func textWithoutWhitespaceIsCutHardAtChunkSize() throws {
        let text = String(repeating: "x", count: 25)
        let chunks = try Chunker(size: 10, overlap: 3).chunks(of: text)
        #expect(chunks.map(\.offset) == [0, 7, 14, 21])
        #expect(chunks.map { $0.text.count } == [10, 10, 10, 4])
        expectValidChunking(chunks, of: text, size: 10, overlap: 3)
    }

    @Test func textThatFitsIsOneChunkAndEmptyTextIsNone() throws {
        let chunker = try Chunker(size: 1000, overlap: 150)
        #expect(layout(chunker.chunks(of: "Short text.")).map(\.1) == ["Short text."])
        #expect(chunker.chunks(of: "").isEmpty)
        let exactlyFull = String(repeating: "y", count: 1000)
        #expect(chunker.chunks(of: exactlyFull).map(\.text) == [exactlyFull])
    }

    @Test func hardCutsNeverSplitAGraphemeCluster() throws {
        let family = "👨‍👩‍👧‍👦"
        let text = String(repeating: family, count: 25)
        let chunks = try Chunker(size: 10, overlap: 2).chunks(of: text)
        expectValidChunking(chunks, of: text, size: 10, overlap: 2)
        for chunk in chunks {
            #expect(chunk.text.unicodeScalars.count == chunk.text.count * family.unicodeScalars.count)
        }
    }

    @Test(arguments: [(1000, 150), (200, 40), (120, 0), (64, 63)])
    func fixtureChunksRespectSizeAndOverlapExactly(size: Int, overlap: Int) throws {
        let chunker = try Chunker(size: size, overlap: overlap)
        for (name, format) in [("handbook.txt", DocumentFormat.text), ("guide.md", .markdown), ("page.html", .html)] {
            let text = ExtractedText.extract(from: try Fixtures.text(name), format: format).text
            let chunks = chunker.chunks(of: text)
            #expect(chunks.count > 1 || text.count <= size, "\(name)")
            expectValidChunking(chunks, of: text, size: size, overlap: overlap)
        }
    }

    @Test func proseChunksEndAtBoundariesNotMidWord() throws {
        let text = ExtractedText.extract(from: try Fixtures.text("handbook.txt"), format: .text).text
        let characters = Array(text)
        let chunks = try Chunker(size: 200, overlap: 40).chunks(of: text)
        #expect(chunks.count >= 8)
        for chunk in chunks.dropLast() {
            let end = chunk.offset + chunk.text.count
            #expect(characters[end - 1].isWhitespace && !characters[end].isWhitespace, "chunk \(chunk.index) ends mid-word")
        }
    }

    @Test func handbookChunkEndsAtParagraphWhenOneIsPastHalfTheWindowElseAtSentence() throws {
        let text = ExtractedText.extract(from: try Fixtures.text("handbook.txt"), format: .text).text
        #expect(text.count == 1596)

        // Paragraph breaks fall at 31, 225, 1348 and 1513 characters.
        let small = try Chunker(size: 400, overlap: 50).chunks(of: text)
        #expect(small[0].text.count == 225)
        #expect(small[0].text.hasSuffix("on its own.\n\n"))

        // At 1000 characters only the breaks at 31 and 225 fit, both under half the window, so the
        // chunk ends after the last sentence that fits (at 983).
        let large = try Chunker(size: 1000, overlap: 150).chunks(of: text)
        #expect(large.map(\.offset) == [0, 833])
        #expect(large[0].text.hasSuffix("killing something more important. "))
        expectValidChunking(large, of: text, size: 1000, overlap: 150)
    }

    @Test func sameTextAlwaysGivesSameChunksAndHashes() throws {
        let first = try Chunker(size: 120, overlap: 30)
            .chunks(of: ExtractedText.extract(from: try Fixtures.text("guide.md"), format: .markdown).text)
        let second = try Chunker(size: 120, overlap: 30)
            .chunks(of: ExtractedText.extract(from: try Fixtures.text("guide.md"), format: .markdown).text)
        #expect(first == second)
        #expect(Set(first.map(\.hash)).count == first.count)
    }

    @Test func overlapNotSmallerThanSizeIsRejected() {
        #expect(throws: IngestionError.self) { try Chunker(size: 100, overlap: 100) }
        do {
            _ = try Chunker(size: 10, overlap: 20)
            Issue.record("expected invalid options")
        } catch {
            #expect(error.code == .invalidOptions)
            #expect(error.message.contains("chunkOverlap"))
        }
        #expect(throws: IngestionError.self) { try Chunker(size: 0, overlap: 0) }
    }
}
