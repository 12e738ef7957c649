import Ingestion
import Testing

@Suite("HTML to text")
struct HTMLTextTests {
    private func plain(_ html: String) -> String {
        ExtractedText.extract(from: html, format: .html).text
    }

    @Test func pageFixtureBecomesExpectedPlainText() throws {
        let extracted = ExtractedText.extract(from: try Fixtures.text("page.html"), format: .html)
        let expected = try Fixtures.text("page.expected.txt")
        #expect(extracted.text + "\n" == expected)
        #expect(extracted.title == "Ingestion & Chunking")
    }

    @Test func scriptsStylesCommentsAndHeadNeverReachTheText() {
        let html = """
            <html><head><title>T</title><meta name="x" content="y"><style>.a{}</style>
            <script>if (a < b) { document.write("</p>leak"); }</script></head>
            <body><!-- <p>hidden</p> -->Visible<script src="x.js"></script><template><p>tpl</p></template></body></html>
            """
        #expect(plain(html) == "Visible")
    }

    @Test func namedAndNumericEntitiesAreDecoded() {
        #expect(plain("&amp;&lt;&gt;&quot;&apos;&copy;&eacute;&Eacute;&mdash;&hellip;&euro;") == "&<>\"'©éÉ—…€")
        #expect(plain("&#65;&#x42;&#X43;&#x1F600;&#128512;") == "ABC😀😀")
        #expect(plain("&#0; &#xD800; &#x110000;") == "\u{FFFD} \u{FFFD} \u{FFFD}")
        #expect(plain("&bogus; &amp no-semicolon &#; &#xZZ;") == "&bogus; &amp no-semicolon &#; &#xZZ;")
        #expect(plain("a&nbsp;&nbsp;b") == "a b")
    }

    @Test func blockElementsBecomeParagraphBreaksAndLinesStayLines() {
        #expect(plain("<p>One</p><p>Two</p><div>Three</div>") == "One\n\nTwo\n\nThree")
        #expect(plain("<ol><li>a</li><li>b</li></ol>") == "a\nb")
        #expect(plain("a<br>b<br/><br>c") == "a\nb\n\nc")
        #expect(plain("<span>in</span><b>line</b> <i>stays</i>") == "inline stays")
        #expect(plain("<p>wrapped\n   source   text</p>") == "wrapped source text")
    }

    @Test func titleFallsBackToFirstHeading() {
        #expect(ExtractedText.extract(from: "<h2>Sub <em>title</em></h2><h1>Main</h1>", format: .html).title == "Sub title")
        #expect(ExtractedText.extract(from: "<p>No heading</p>", format: .html).title == nil)
    }

    @Test func malformedMarkupIsToleratedWithoutLosingText() {
        #expect(plain("<p>unclosed <b>bold") == "unclosed bold")
        #expect(plain("text <!-- never closed") == "text")
        #expect(plain("tail <a href=\"x") == "tail")
        #expect(plain("<script>never closed") == "")
        #expect(plain("<p>icon <svg viewBox=\"0 0 1 1\"/> kept</p><svg><text>drawn</text></svg>after") == "icon kept\n\nafter")
    }
}
