import Ingestion
import Testing

/// HTML and Markdown share one tag scanner; a `>` inside a quoted attribute value must not end a tag in either.
@Suite("Tags with quoted attribute values")
struct QuotedAttributeTests {
    @Test func quotedGreaterThanDoesNotEndAnHTMLTag() {
        let html = #"<p title="a > b" data-x='>'>kept</p>"#
        #expect(ExtractedText.extract(from: html, format: .html).text == "kept")
    }

    @Test func quotedGreaterThanDoesNotEndATagInMarkdown() {
        let markdown = #"a <span title="x > y" data-x='>'>b</span> c"#
        #expect(ExtractedText.extract(from: markdown, format: .markdown).text == "a b c")
    }

    @Test func markdownTagWhoseQuoteNeverClosesStaysText() {
        let markdown = #"x <a title="never closed> y"#
        #expect(ExtractedText.extract(from: markdown, format: .markdown).text == markdown)
    }
}
