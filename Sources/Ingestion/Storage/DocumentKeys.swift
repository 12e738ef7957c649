/// Every Redis key of one knowledge base, derived in this one place (see `docs/ingestion.md`).
///
/// All keys start with `ingest:{KB}:`; the braces make the knowledge-base name the Redis Cluster
/// hash tag, so one script may change a document, its chunks and the index together.
public struct DocumentKeys: Sendable, Hashable {
    /// The knowledge base the keys belong to; validated, so it is safe inside a hash tag.
    public let knowledgeBase: String
    /// `ingest:{KB}:`, the prefix of every key of the knowledge base.
    public let prefix: String

    /// Derives the keys of a knowledge base.
    /// - Parameter knowledgeBase: 1 to 100 characters from `A-Z a-z 0-9 . _ -`.
    /// - Throws: ``DocumentStoreError`` with code ``DocumentStoreError/Code/invalidKnowledgeBase``.
    public init(knowledgeBase: String) throws(DocumentStoreError) {
        try Self.validate(knowledgeBase)
        self.knowledgeBase = knowledgeBase
        self.prefix = "ingest:{\(knowledgeBase)}:"
    }

    /// `ingest:{KB}:docs`: sorted set of document ids, scored by when each was last written (ms).
    public var documents: String { prefix + "docs" }

    /// `ingest:{KB}:doc:<id>`: hash of one document's metadata.
    public func document(id: String) -> String { prefix + "doc:" + id }

    /// `ingest:{KB}:chunks:<id>`: list of one document's chunks as JSON, in order.
    public func chunks(id: String) -> String { prefix + "chunks:" + id }

    private static func validate(_ name: String) throws(DocumentStoreError) {
        func invalid(_ reason: String) -> DocumentStoreError {
            DocumentStoreError(code: .invalidKnowledgeBase, message: "knowledge base name \(reason); use 1 to 100 letters, digits, '.', '_' or '-'")
        }
        guard !name.isEmpty else { throw invalid("is empty") }
        guard name.utf8.count <= 100 else { throw invalid("is longer than 100 characters") }
        let allowed = name.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "-": true
            default: false
            }
        }
        guard allowed else { throw invalid("'\(name.prefix(100))' has other characters") }
    }
}
