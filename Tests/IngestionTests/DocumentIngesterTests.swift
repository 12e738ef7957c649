import Foundation
import Ingestion
import Testing

@Suite("Document ingestion")
struct DocumentIngesterTests {
    private func failure(_ body: () throws(IngestionError) -> IngestedDocument) -> IngestionError? {
        do {
            let document = try body()
            Issue.record("expected a failure, got \(document.chunks.count) chunks")
            return nil
        } catch {
            return error
        }
    }

    @Test func markdownFileBecomesChunkedDocumentWithMetadata() throws {
        let directory = try TemporaryDirectory()
        let source = try Fixtures.text("guide.md")
        let file = try directory.write("kb/guide.md", text: source)
        let modified = Date(timeIntervalSince1970: 1_700_000_000.25)
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: file)

        let ingester = try DocumentIngester(options: IngestionOptions(chunkSize: 300, chunkOverlap: 50))
        let document = try ingester.ingest(fileAt: directory.path + "//kb/./sub/../guide.md")

        #expect(document.sourcePath == file)
        #expect(document.format == .markdown)
        #expect(document.title == "Running the ingestion worker")
        #expect(document.byteSize == source.utf8.count)
        #expect(document.contentHash == (try sha256sum(file)))
        #expect(abs(document.modifiedAt.timeIntervalSince(modified)) < 0.001)
        let expectedText = String(try Fixtures.text("guide.expected.txt").dropLast())
        expectValidChunking(document.chunks, of: expectedText, size: 300, overlap: 50)
    }

    @Test func titleFallsBackToFileNameAndHTMLUsesItsTitleElement() throws {
        let directory = try TemporaryDirectory()
        let ingester = try DocumentIngester()
        #expect(try ingester.ingest(fileAt: directory.write("notes.txt", text: "# not a heading in text")).title == "notes.txt")
        #expect(try ingester.ingest(fileAt: directory.write("plain.md", text: "no heading here")).title == "plain.md")
        #expect(try ingester.ingest(fileAt: Fixtures.path("page.html")).title == "Ingestion & Chunking")
    }

    @Test func relativePathIsStoredAbsoluteAndStandardised() throws {
        let relative = "Tests/../Tests/IngestionTests/./Fixtures/handbook.txt"
        let document = try DocumentIngester().ingest(contents: Array("x".utf8), path: relative, modifiedAt: Date())
        #expect(document.sourcePath == FileManager.default.currentDirectoryPath + "/Tests/IngestionTests/Fixtures/handbook.txt")
    }

    @Test func emptyFileGivesDocumentWithZeroChunks() throws {
        let directory = try TemporaryDirectory()
        let document = try DocumentIngester().ingest(fileAt: directory.write("empty.md", bytes: []))
        #expect(document.chunks.isEmpty)
        #expect(document.byteSize == 0)
        #expect(document.format == .markdown)
        #expect(document.title == "empty.md")
        #expect(document.contentHash == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")

        let scriptOnly = try DocumentIngester().ingest(fileAt: directory.write("s.html", text: "<script>x()</script>\n \n"))
        #expect(scriptOnly.chunks.isEmpty)
    }

    @Test func unchangedFileReingestsIdenticallyAndChangedFileChangesHashes() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("doc.html", text: try Fixtures.text("page.html"))
        let ingester = try DocumentIngester(options: IngestionOptions(chunkSize: 120, chunkOverlap: 20))
        let first = try ingester.ingest(fileAt: file)
        let second = try ingester.ingest(fileAt: file)
        #expect(first == second)
        #expect(first.chunks.count > 2)

        try directory.write("doc.html", text: try Fixtures.text("page.html").replacingOccurrences(of: "First item", with: "Changed item"))
        let changed = try ingester.ingest(fileAt: file)
        #expect(changed.contentHash != first.contentHash)
        #expect(changed.chunks.map(\.hash) != first.chunks.map(\.hash))
        #expect(changed.chunks.first?.hash == first.chunks.first?.hash)
    }

    @Test func documentSurvivesJSONRoundTrip() throws {
        let document = try DocumentIngester(options: IngestionOptions(chunkSize: 200, chunkOverlap: 20))
            .ingest(fileAt: Fixtures.path("handbook.txt"))
        let decoded = try JSONDecoder().decode(IngestedDocument.self, from: JSONEncoder().encode(document))
        #expect(decoded == document)
    }

    @Test func missingFileIsReportedAsNotFound() throws {
        let directory = try TemporaryDirectory()
        let error = failure { () throws(IngestionError) in try DocumentIngester().ingest(fileAt: directory.path + "/absent.txt") }
        #expect(error?.code == .fileNotFound)
        #expect(error?.path == directory.path + "/absent.txt")
        #expect(error?.errno == ENOENT)
    }

    @Test func directoryAndFIFOAreRejectedAsNotRegularFilesWithoutBlocking() throws {
        let directory = try TemporaryDirectory()
        let error = failure { () throws(IngestionError) in try DocumentIngester().ingest(fileAt: directory.path) }
        #expect(error?.code == .notRegularFile)
        #expect(error?.message.contains("directory") == true)

        let fifo = directory.path + "/queue.txt"
        #expect(mkfifo(fifo, 0o600) == 0)
        let fifoError = failure { () throws(IngestionError) in try DocumentIngester().ingest(fileAt: fifo) }
        #expect(fifoError?.code == .notRegularFile)
        #expect(fifoError?.message.contains("FIFO") == true)
    }

    @Test func symlinkIsRefusedUnlessFollowingIsEnabled() throws {
        let directory = try TemporaryDirectory()
        let target = try directory.write("real.txt", text: "linked text")
        let link = try directory.symlink("link.txt", to: target)

        let error = failure { () throws(IngestionError) in try DocumentIngester().ingest(fileAt: link) }
        #expect(error?.code == .notRegularFile)
        #expect(error?.message.contains("followSymlinks") == true)

        let document = try DocumentIngester(options: IngestionOptions(followSymlinks: true)).ingest(fileAt: link)
        #expect(document.sourcePath == link)
        #expect(document.chunks.map(\.text) == ["linked text"])
    }

    @Test func fileOverTheSizeLimitIsRejectedBeforeReading() throws {
        let directory = try TemporaryDirectory()
        let small = try directory.write("small.txt", text: String(repeating: "a", count: 101))
        let error = failure { () throws(IngestionError) in
            try DocumentIngester(options: IngestionOptions(maxFileSize: 100)).ingest(fileAt: small)
        }
        #expect(error?.code == .fileTooLarge)
        #expect(error?.message.contains("101 bytes") == true)

        // A sparse 21 MiB file: over the default limit, yet cheap to create and never read.
        let large = try directory.write("large.txt", bytes: [])
        #expect(truncate(large, 21 * 1024 * 1024) == 0)
        let start = ContinuousClock.now
        let largeError = failure { () throws(IngestionError) in try DocumentIngester().ingest(fileAt: large) }
        #expect(largeError?.code == .fileTooLarge)
        #expect(ContinuousClock.now - start < .milliseconds(200))
    }

    @Test func latin1FileIsRejectedNamingTheFirstBadByte() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("menu.txt", bytes: Array("Caf".utf8) + [0xE9] + Array(" au lait".utf8))
        let error = failure { () throws(IngestionError) in try DocumentIngester().ingest(fileAt: file) }
        #expect(error?.code == .invalidEncoding)
        #expect(error?.byteOffset == 3)
        #expect(error?.message.contains("0xE9 at offset 3") == true)
        #expect(error?.message.contains("iconv") == true)
    }

    @Test func truncatedMultibyteSequenceAfterBOMIsReportedAtItsFileOffset() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("ok ".utf8) + [0xE2, 0x82]
        let error = failure { () throws(IngestionError) in
            try DocumentIngester().ingest(contents: bytes, path: "/kb/cut.txt", modifiedAt: Date())
        }
        #expect(error?.code == .invalidEncoding)
        #expect(error?.byteOffset == 6)
    }

    @Test func utf16FileIsRejectedAsInvalidEncoding() throws {
        let bytes: [UInt8] = [0xFF, 0xFE] + Array("hi".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let error = failure { () throws(IngestionError) in
            try DocumentIngester().ingest(contents: bytes, path: "/kb/wide.txt", modifiedAt: Date())
        }
        #expect(error?.code == .invalidEncoding)
        #expect(error?.message.contains("UTF-16LE") == true)
    }

    @Test func utf8ByteOrderMarkIsSkipped() throws {
        let document = try DocumentIngester().ingest(contents: [0xEF, 0xBB, 0xBF] + Array("# Héllo".utf8), path: "/kb/bom.md", modifiedAt: Date())
        #expect(document.title == "Héllo")
        #expect(document.chunks.map(\.text) == ["Héllo"])
    }

    @Test func binaryFilesAreRejectedAsBinaryContent() throws {
        let directory = try TemporaryDirectory()
        let withNul = try directory.write("image.txt", bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00])
        let nulError = failure { () throws(IngestionError) in try DocumentIngester().ingest(fileAt: withNul) }
        #expect(nulError?.code == .binaryContent)
        #expect(nulError?.byteOffset == 8)

        let controlHeavy = try directory.write("dump.txt", bytes: Array(repeating: [0x01, 0x02, 0x41, 0x42, 0x43], count: 50).flatMap { $0 })
        let controlError = failure { () throws(IngestionError) in try DocumentIngester().ingest(fileAt: controlHeavy) }
        #expect(controlError?.code == .binaryContent)
        #expect(controlError?.byteOffset == 0)

        let fewControls = try directory.write("log.txt", text: "\u{1B}[1mbold\u{1B}[0m line\u{0C}\n" + String(repeating: "text ", count: 20) + "\u{07}")
        #expect(try DocumentIngester().ingest(fileAt: fewControls).chunks.count == 1)
    }

    @Test func fiveMegabyteFileIsChunkedCorrectlyInBoundedTime() throws {
        let directory = try TemporaryDirectory()
        var text = ""
        var paragraph = 0
        while text.utf8.count < 5_000_000 {
            let sentences = (0..<(paragraph % 9 + 1)).map { sentence in
                "Paragraph \(paragraph) sentence \(sentence) describes queue item \(paragraph &* 7919 % 10007) in plain words."
            }
            text += (text.isEmpty ? "" : "\n\n") + sentences.joined(separator: " ")
            paragraph += 1
        }
        let file = try directory.write("big.txt", text: text)

        // CPU time of this thread, so a busy machine does not make the bound flaky; quadratic
        // behaviour on 5 MB would take far longer.
        let cpuBefore = threadCPUSeconds()
        let document = try DocumentIngester().ingest(fileAt: file)
        let cpuSeconds = threadCPUSeconds() - cpuBefore

        #expect(cpuSeconds < 8, "took \(cpuSeconds) s of CPU")
        #expect(document.byteSize == text.utf8.count)
        #expect(document.chunks.count > 5_000)
        var rebuilt = document.chunks[0].text
        for (previous, chunk) in zip(document.chunks, document.chunks.dropFirst()) {
            #expect(chunk.offset == previous.offset + previous.text.count - 150)
            #expect(chunk.text.count <= 1000 && !chunk.text.isEmpty)
            rebuilt += chunk.text.dropFirst(150)
        }
        #expect(rebuilt == text)
        let endsAtBreak = document.chunks.dropLast().allSatisfy { $0.text.hasSuffix(". ") || $0.text.hasSuffix(".\n\n") }
        #expect(endsAtBreak)
    }

    @Test func inconsistentOptionsAreRejectedUpFront() {
        #expect(throws: IngestionError.self) { try DocumentIngester(options: IngestionOptions(chunkSize: 100, chunkOverlap: 150)) }
        #expect(throws: IngestionError.self) { try DocumentIngester(options: IngestionOptions(maxFileSize: -1)) }
    }
}

/// CPU time used so far by the calling thread, in seconds.
private func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1_000_000_000
}
