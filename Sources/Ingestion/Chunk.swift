/// One piece of a document's normalised text.
public struct Chunk: Sendable, Hashable, Codable {
    /// The chunk's position in the document, counting from 0.
    public var index: Int
    /// The chunk's text: exactly the characters `offset ..< offset + text.count` of the normalised text.
    public var text: String
    /// Where the chunk starts in the normalised text, in characters (Swift `Character`s).
    public var offset: Int
    /// The SHA-256 of `text`'s UTF-8 bytes, as 64 lowercase hexadecimal characters.
    public var hash: String

    /// Creates a chunk, computing its hash from `text`.
    /// - Parameters:
    ///   - index: The chunk's position in the document.
    ///   - text: The chunk's text.
    ///   - offset: Where the chunk starts in the normalised text, in characters.
    public init(index: Int, text: String, offset: Int) {
        self.index = index
        self.text = text
        self.offset = offset
        self.hash = HexDigest.sha256(of: text)
    }
}
