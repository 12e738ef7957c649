import Ingestion
import Testing

@Suite("Text normalisation")
struct TextNormalizationTests {
    private func plain(_ text: String) -> String {
        ExtractedText.extract(from: text, format: .text).text
    }

    @Test func runsOfSpacesCollapseAndLinesAreTrimmed() {
        #expect(plain("  a \t  b\u{00A0}\u{3000}c   \n   d  ") == "a b c\nd")
    }

    @Test func atMostOneBlankLineSeparatesParagraphs() {
        #expect(plain("\n\n\none\n\n\n\n\ntwo\n \t \nthree\n\n") == "one\n\ntwo\n\nthree")
    }

    @Test func windowsAndOldMacLineEndsBecomeLineFeeds() {
        #expect(plain("a\r\nb\rc\r\n\r\nd") == "a\nb\nc\n\nd")
    }

    @Test func controlCharactersAndByteOrderMarksAreRemoved() {
        #expect(plain("\u{FEFF}a\u{07}b\u{1B}[0mc\u{85}d") == "ab[0mc\nd")
    }

    @Test func decomposedTextIsComposedToNFC() {
        let composed = plain("Cafe\u{301} and A\u{30A}ngstro\u{308}m")
        #expect(composed == "Caf\u{E9} and \u{C5}ngstr\u{F6}m")
        #expect(composed.unicodeScalars.map(\.value).contains(0x301) == false)
        #expect(plain("\u{212B}").unicodeScalars.map(\.value) == [0xC5])
    }

    @Test func formatComesFromExtensionThenFromContent() {
        #expect(DocumentFormat.detect(fileName: "/kb/a.TXT", content: "<html>") == .text)
        #expect(DocumentFormat.detect(fileName: "/kb/a.Markdown", content: "") == .markdown)
        #expect(DocumentFormat.detect(fileName: "/kb/a.htm", content: "") == .html)
        #expect(DocumentFormat.detect(fileName: "/kb/README", content: "  <!DOCTYPE html><p>x") == .html)
        #expect(DocumentFormat.detect(fileName: "/kb/notes", content: "intro\n## Section\ntext") == .markdown)
        #expect(DocumentFormat.detect(fileName: "/kb/log.out", content: "see [a](b)") == .markdown)
        #expect(DocumentFormat.detect(fileName: "/kb/.profile", content: "plain words #1") == .text)
    }
}
