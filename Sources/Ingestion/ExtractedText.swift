/// Plain text taken out of a source document, with the title the document gives itself.
public struct ExtractedText: Sendable, Hashable {
    /// The normalised plain text: NFC, single spaces, trimmed lines, paragraphs separated by exactly
    /// one blank line, no leading or trailing whitespace.
    public var text: String
    /// The document's own title on one line (Markdown: first heading; HTML: `<title>`, else first
    /// heading), or `nil` when it has none.
    public var title: String?

    /// Creates extracted text.
    public init(text: String, title: String?) {
        self.text = text
        self.title = title
    }

    /// Converts `source` of the given format to normalised plain text and finds its title.
    /// - Parameters:
    ///   - source: The decoded document.
    ///   - format: How to read `source`.
    public static func extract(from source: String, format: DocumentFormat) -> ExtractedText {
        let raw: (text: String, title: String?)
        switch format {
        case .text: raw = (source, nil)
        case .markdown: raw = MarkdownText.convert(source)
        case .html: raw = HTMLText.convert(source)
        }
        let title = raw.title.map { TextNormalizer.normalise($0).replacing("\n", with: " ") }
        return ExtractedText(text: TextNormalizer.normalise(raw.text), title: title?.isEmpty == false ? title : nil)
    }
}
