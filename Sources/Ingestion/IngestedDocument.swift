import Foundation

/// A source file read, normalised and cut into chunks, ready to be stored.
public struct IngestedDocument: Sendable, Hashable, Codable {
    /// The absolute, standardised path the file was read from (no `.`, `..` or repeated slashes).
    public var sourcePath: String
    /// How the file was read.
    public var format: DocumentFormat
    /// The SHA-256 of the file's bytes, as 64 lowercase hexadecimal characters (what `sha256sum` prints).
    /// Equal hashes mean the file is unchanged.
    public var contentHash: String
    /// The document's title: its first heading (Markdown), its `<title>` or else first heading (HTML),
    /// or else the file name.
    public var title: String
    /// The file's size in bytes.
    public var byteSize: Int
    /// The file's last modification time.
    public var modifiedAt: Date
    /// The chunks of the normalised text, in order; empty when the file holds no text.
    public var chunks: [Chunk]

    /// Creates a document.
    public init(
        sourcePath: String,
        format: DocumentFormat,
        contentHash: String,
        title: String,
        byteSize: Int,
        modifiedAt: Date,
        chunks: [Chunk]
    ) {
        self.sourcePath = sourcePath
        self.format = format
        self.contentHash = contentHash
        self.title = title
        self.byteSize = byteSize
        self.modifiedAt = modifiedAt
        self.chunks = chunks
    }
}
