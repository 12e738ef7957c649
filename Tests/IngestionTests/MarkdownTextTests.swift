import Ingestion
import Testing

@Suite("Markdown to text")
struct MarkdownTextTests {
    private func plain(_ markdown: String) -> String {
        ExtractedText.extract(from: markdown, format: .markdown).text
    }

    @Test func guideFixtureBecomesExpectedPlainText() throws {
        let extracted = ExtractedText.extract(from: try Fixtures.text("guide.md"), format: .markdown)
        let expected = try Fixtures.text("guide.expected.txt")
        #expect(extracted.text + "\n" == expected)
        #expect(extracted.title == "Running the ingestion worker")
    }

    @Test func headingMarkersAreRemovedAndHeadingStandsAsItsOwnParagraph() {
        #expect(plain("## Setup ##\nText right after.") == "Setup\n\nText right after.")
        #expect(plain("#hashtag is not a heading") == "#hashtag is not a heading")
        #expect(plain("Title\n=====\nBody") == "Title\n\nBody")
    }

    @Test func emphasisMarkersAreRemovedButArithmeticAndSnakeCaseStay() {
        #expect(plain("**bold**, *italic*, __strong__, _em_, ***both***, ~~gone~~") == "bold, italic, strong, em, both, gone")
        #expect(plain("*a **nested** b*") == "a nested b")
        #expect(plain("2 * 3 * 4 and file_name_here and 5*x") == "2 * 3 * 4 and file_name_here and 5*x")
        #expect(plain("\\*literal\\* and \\_kept\\_") == "*literal* and _kept_")
    }

    @Test func linksAndImagesBecomeTheirText() {
        #expect(plain("See [the docs](https://example.com/a_(b)) now.") == "See the docs now.")
        #expect(plain("![a diagram](d.png \"title\") and [ref][1] and [x]") == "a diagram and ref and [x]")
        #expect(plain("[**bold link**](u)") == "bold link")
        #expect(plain("Mail <ops@example.com> or visit <https://example.com>.") == "Mail ops@example.com or visit https://example.com.")
    }

    @Test func codeIsKeptAsWrittenInsideSpansAndFences() {
        #expect(plain("Run `make *all*` now") == "Run make *all* now")
        #expect(plain("``a ` b``") == "a ` b")
        #expect(plain("Before\n~~~\n**raw** [x](y) <b>\n~~~\nAfter") == "Before\n\n**raw** [x](y) <b>\n\nAfter")
        #expect(plain("```\nunclosed *fence*") == "unclosed *fence*")
    }

    @Test func listItemsStayOneToALineWithoutBullets() {
        #expect(plain("- one\n* two\n+ three\n3. four\n10) five") == "one\ntwo\nthree\n3. four\n10) five")
    }

    @Test func htmlInsideMarkdownIsStripped() {
        #expect(plain("a <b>bold</b> word<br>next") == "a bold word\nnext")
        #expect(plain("keep <!-- hidden --> this") == "keep this")
        #expect(plain("x\n<style>\np { color: red }\n</style>\ny") == "x\ny")
        #expect(plain("3 < 4 and a <- b") == "3 < 4 and a <- b")
    }

    @Test func mentioningScriptOrCommentInRunningTextDoesNotSwallowTheRest() {
        #expect(plain("Use the `<script>` tag.\nA <style> mention here.\nStill here.") == "Use the <script> tag.\nA mention here.\nStill here.")
        #expect(plain("Arrows <!-- like this\nkeep going") == "Arrows <!-- like this\nkeep going")
        #expect(plain("<!--\nhidden\n-->\nshown") == "shown")
    }

    @Test func entitiesAreDecodedOutsideCode() {
        #expect(plain("&lt;tag&gt; &amp; `&amp;`") == "<tag> & &amp;")
    }
}
