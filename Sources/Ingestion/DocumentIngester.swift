import Foundation

/// Reads a text, Markdown or HTML file and turns it into an ``IngestedDocument``.
///
/// All work is synchronous and blocking (file reads); call it from a thread that may block, not
/// from Swift's cooperative thread pool.
public struct DocumentIngester: Sendable {
    /// The limits and chunking settings in use.
    public let options: IngestionOptions
    private let chunker: Chunker

    /// Creates an ingester.
    /// - Throws: ``IngestionError`` with code ``IngestionError/Code/invalidOptions`` for inconsistent options.
    public init(options: IngestionOptions = IngestionOptions()) throws(IngestionError) {
        try options.validate()
        self.options = options
        self.chunker = try Chunker(options: options)
    }

    /// Reads the file at `path` and returns it as a chunked document.
    ///
    /// An empty file, or one with no text left after normalisation (say, HTML holding only a
    /// script), is not an error: it gives a document with zero chunks, so storing it removes any
    /// chunks an earlier version had.
    /// - Parameter path: The file to read; relative paths are taken from the working directory.
    /// - Throws: ``IngestionError`` with code `fileNotFound`, `notRegularFile`, `fileTooLarge`,
    ///   `unreadable`, `binaryContent` or `invalidEncoding`.
    public func ingest(fileAt path: String) throws(IngestionError) -> IngestedDocument {
        let file = try SourceFile.load(path: path, options: options)
        return try ingest(contents: file.bytes, path: file.path, modifiedAt: file.modifiedAt)
    }

    /// Turns file contents into a chunked document, as ``ingest(fileAt:)`` does after reading.
    /// - Parameters:
    ///   - contents: The file's bytes.
    ///   - path: The file's path, for the format (by extension), the title fallback and errors;
    ///     stored standardised.
    ///   - modifiedAt: The file's modification time.
    /// - Throws: ``IngestionError`` with code `fileTooLarge`, `binaryContent` or `invalidEncoding`.
    public func ingest(contents: [UInt8], path: String, modifiedAt: Date) throws(IngestionError) -> IngestedDocument {
        let sourcePath = PathName.standardised(path)
        guard contents.count <= options.maxFileSize else {
            throw IngestionError(
                code: .fileTooLarge,
                message: "the content has \(contents.count) bytes, more than the limit of \(options.maxFileSize); split it or raise maxFileSize",
                path: sourcePath
            )
        }
        let decoded = try TextDecoding.decode(contents, path: sourcePath)
        let format = DocumentFormat.detect(fileName: sourcePath, content: decoded)
        let extracted = ExtractedText.extract(from: decoded, format: format)
        return IngestedDocument(
            sourcePath: sourcePath,
            format: format,
            contentHash: HexDigest.sha256(of: contents),
            title: extracted.title ?? PathName.fileName(of: sourcePath),
            byteSize: contents.count,
            modifiedAt: modifiedAt,
            chunks: chunker.chunks(of: extracted.text)
        )
    }
}
