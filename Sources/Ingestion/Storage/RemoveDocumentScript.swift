import RedisClient

/// Deletes one document, its chunks and its index entry in one atomic step.
///
/// The Lua is `Lua/remove-document.lua`, embedded at build time; its header gives the keys, the
/// argument, the reply and the guarantee.
enum RemoveDocumentScript {
    /// The script.
    static let script = RedisScript(
        name: "ingest.remove-document",
        source: String(decoding: PackageResources.remove_document_lua, as: UTF8.self)
    )
}
