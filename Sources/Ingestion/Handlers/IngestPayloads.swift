/// The payload of an `ingest.file` job: `{"path": "...", "kb": "...", "chunk_size": N, "chunk_overlap": N}`;
/// only `path` is required. Other members are ignored.
struct IngestFilePayload: Codable, Sendable {
    /// The file to ingest; relative paths are taken from the worker's working directory.
    var path: String
    /// The knowledge base to store it in; `nil` means ``DocumentStore/defaultKnowledgeBase``.
    var knowledgeBase: String?
    /// Overrides the worker's chunk size.
    var chunkSize: Int?
    /// Overrides the worker's chunk overlap.
    var chunkOverlap: Int?

    enum CodingKeys: String, CodingKey {
        case path
        case knowledgeBase = "kb"
        case chunkSize = "chunk_size"
        case chunkOverlap = "chunk_overlap"
    }
}

/// The payload of an `ingest.dir` job:
/// `{"path": "<dir>", "kb": "...", "extensions": ["md", ...], "chunk_size": N, "chunk_overlap": N}`;
/// only `path` is required. Chunk settings are passed on to every `ingest.file` job.
struct IngestDirectoryPayload: Decodable, Sendable {
    /// The directory to scan, recursively.
    var path: String
    /// The knowledge base to store the files in; `nil` means ``DocumentStore/defaultKnowledgeBase``.
    var knowledgeBase: String?
    /// The file name extensions to pick up; `nil` uses the worker's ``IngestionOptions/allowedExtensions``.
    var extensions: [String]?
    /// Overrides the worker's chunk size, for every file.
    var chunkSize: Int?
    /// Overrides the worker's chunk overlap, for every file.
    var chunkOverlap: Int?

    enum CodingKeys: String, CodingKey {
        case path
        case knowledgeBase = "kb"
        case extensions
        case chunkSize = "chunk_size"
        case chunkOverlap = "chunk_overlap"
    }
}

extension IngestFilePayload {
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        path = try container.decode(String.self, forKey: .path)
        knowledgeBase = try container.decodeIfPresent(String.self, forKey: .knowledgeBase)
        chunkSize = try container.decodeIntegerIfPresent(forKey: .chunkSize)
        chunkOverlap = try container.decodeIntegerIfPresent(forKey: .chunkOverlap)
    }
}

extension IngestDirectoryPayload {
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        path = try container.decode(String.self, forKey: .path)
        knowledgeBase = try container.decodeIfPresent(String.self, forKey: .knowledgeBase)
        extensions = try container.decodeIfPresent([String].self, forKey: .extensions)
        chunkSize = try container.decodeIntegerIfPresent(forKey: .chunkSize)
        chunkOverlap = try container.decodeIntegerIfPresent(forKey: .chunkOverlap)
    }
}

extension KeyedDecodingContainer {
    /// Decodes an optional integer member. Any failure (a string, a fraction such as `1.5`, a
    /// number too large) becomes a type mismatch at the member's path, so the message can name
    /// it: Foundation reports a fraction as invalid JSON without saying where.
    func decodeIntegerIfPresent(forKey key: Key) throws -> Int? {
        do {
            return try decodeIfPresent(Int.self, forKey: key)
        } catch {
            throw DecodingError.typeMismatch(Int.self, DecodingError.Context(codingPath: codingPath + [key], debugDescription: "expected an integer", underlyingError: error))
        }
    }
}

extension IngestionOptions {
    /// These options with the chunk settings a payload gives, where it gives them.
    func overriding(chunkSize: Int?, chunkOverlap: Int?) -> IngestionOptions {
        var options = self
        if let chunkSize { options.chunkSize = chunkSize }
        if let chunkOverlap { options.chunkOverlap = chunkOverlap }
        return options
    }
}
