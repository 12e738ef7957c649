/// The kinds of source document ingestion understands.
public enum DocumentFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// Plain text; only whitespace and Unicode form are normalised.
    case text
    /// Markdown; markup is stripped and the text kept.
    case markdown
    /// HTML; tags, scripts, styles, comments and the head are dropped and entities decoded.
    case html

    /// The format implied by a file name's extension: `txt` is text, `md`/`markdown` is Markdown and
    /// `html`/`htm` is HTML (case-insensitive); `nil` for any other or no extension.
    public static func fromExtension(ofFileName name: String) -> DocumentFormat? {
        switch PathName.fileExtension(of: name) {
        case "txt": .text
        case "md", "markdown": .markdown
        case "html", "htm": .html
        default: nil
        }
    }

    /// The format of a document: by its file name's extension when that is known, otherwise by
    /// looking at the start of its content.
    ///
    /// Content sniffing reads the first 4 KiB: an HTML doctype or an `<html>`, `<head>` or `<body>`
    /// tag means HTML; a Markdown heading (`# `), a code fence or an inline link (`](`) at the start
    /// of a line means Markdown; anything else is text.
    /// - Parameters:
    ///   - fileName: The file's name or path.
    ///   - content: The decoded content.
    public static func detect(fileName: String, content: String) -> DocumentFormat {
        fromExtension(ofFileName: fileName) ?? sniff(content)
    }

    private static let sniffedPrefixLength = 4096

    private static func sniff(_ content: String) -> DocumentFormat {
        let prefix = String(content.unicodeScalars.prefix(sniffedPrefixLength))
        let lowered = prefix.lowercased()
        let htmlMarkers = ["<!doctype html", "<html", "<head", "<body"]
        if htmlMarkers.contains(where: lowered.contains) {
            return .html
        }
        for line in prefix.split(separator: "\n", omittingEmptySubsequences: true) {
            let trimmed = line.drop(while: { $0 == " " })
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") || trimmed.contains("](") {
                return .markdown
            }
            let hashes = trimmed.prefix(while: { $0 == "#" }).count
            if (1...6).contains(hashes), trimmed.dropFirst(hashes).first == " " {
                return .markdown
            }
        }
        return .text
    }
}
