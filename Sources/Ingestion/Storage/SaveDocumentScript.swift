import RedisClient

/// Stores one document and all its chunks, replacing any earlier version, in one atomic step.
///
/// The Lua is `Lua/save-document.lua`, embedded at build time; its header gives the keys, the
/// arguments, the reply and the guarantee.
enum SaveDocumentScript {
    /// Arguments before the first chunk (the same number is written in the Lua).
    static let fixedArgumentCount = 9

    /// The script.
    static let script = RedisScript(
        name: "ingest.save-document",
        source: String(decoding: PackageResources.save_document_lua, as: UTF8.self)
    )
}
