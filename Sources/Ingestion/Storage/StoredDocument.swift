import Foundation

/// The metadata of a document as stored in a knowledge base (its chunks are read separately, with
/// ``DocumentStore/chunks(path:)``).
public struct StoredDocument: Sendable, Hashable {
    /// The document id: the SHA-256 of ``path``, as 64 lowercase hexadecimal characters.
    public var id: String
    /// The absolute, standardised path the document was read from.
    public var path: String
    /// The document's title.
    public var title: String
    /// How the file was read.
    public var format: DocumentFormat
    /// The SHA-256 of the file's bytes.
    public var contentHash: String
    /// The file's size in bytes.
    public var byteSize: Int
    /// The file's last modification time, to the millisecond.
    public var modifiedAt: Date
    /// The chunk size the chunks were cut with.
    public var chunkSize: Int
    /// The chunk overlap the chunks were cut with.
    public var chunkOverlap: Int
    /// How many chunks are stored.
    public var chunkCount: Int
    /// When this version was written, to the millisecond, by the Redis server's clock.
    public var ingestedAt: Date

    /// Reads a document from the fields of its hash; `nil` when a field is missing or malformed.
    init?(id: String, fields: [String: String]) {
        guard let path = fields["path"], let title = fields["title"],
              let format = fields["format"].flatMap(DocumentFormat.init(rawValue:)),
              let contentHash = fields["content_hash"],
              let byteSize = fields["bytes"].flatMap({ Int($0) }),
              let modifiedAt = fields["modified_at"].flatMap({ Int64($0) }),
              let chunkSize = fields["chunk_size"].flatMap({ Int($0) }),
              let chunkOverlap = fields["chunk_overlap"].flatMap({ Int($0) }),
              let chunkCount = fields["chunk_count"].flatMap({ Int($0) }),
              let ingestedAt = fields["ingested_at"].flatMap({ Int64($0) })
        else { return nil }
        self.id = id
        self.path = path
        self.title = title
        self.format = format
        self.contentHash = contentHash
        self.byteSize = byteSize
        self.modifiedAt = Date(millisecondsSince1970: modifiedAt)
        self.chunkSize = chunkSize
        self.chunkOverlap = chunkOverlap
        self.chunkCount = chunkCount
        self.ingestedAt = Date(millisecondsSince1970: ingestedAt)
    }
}

extension Date {
    /// The date `milliseconds` after the Unix epoch.
    init(millisecondsSince1970 milliseconds: Int64) {
        self.init(timeIntervalSince1970: TimeInterval(milliseconds) / 1000)
    }

    /// Milliseconds since the Unix epoch, rounded to the nearest.
    var millisecondsSince1970: Int64 {
        Int64((timeIntervalSince1970 * 1000).rounded())
    }
}
