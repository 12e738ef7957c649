/// What ``DocumentStore/save(_:options:)`` did.
public enum SaveOutcome: Sendable, Hashable {
    /// The document was not stored before; it is now, with all its chunks.
    case created
    /// The stored version had different content or chunk settings; it was replaced, and this many
    /// old chunks were deleted.
    case updated(removedChunks: Int)
    /// The stored version has the same content hash and chunk settings; nothing was written.
    case unchanged
}
