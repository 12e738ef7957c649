@testable import Ingestion
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

/// Each ingestion Lua script on its own, as embedded in the module: SCRIPT LOAD compiles it, and
/// one EVALSHA on keys no other test uses checks the shape of its reply.
@Suite("Ingestion Lua scripts")
struct LuaScriptTests {
    /// The keys of a knowledge base no other test uses.
    private func uniqueKeys(_ label: String = #function) throws -> DocumentKeys {
        try DocumentKeys(knowledgeBase: uniqueQueueName(label).rawValue)
    }

    /// Compiles `script` on the server with SCRIPT LOAD and returns its SHA1.
    private func load(_ script: RedisScript, on connection: RedisConnection) throws -> String {
        let sha = try #require(try connection.command(["SCRIPT", "LOAD", RedisArgument(script.source)]).string)
        #expect(sha.count == 40)
        return sha
    }

    private func evalsha(_ sha: String, keys: [String], arguments: [RedisArgument], on connection: RedisConnection) throws -> RedisReply {
        try connection.command(["EVALSHA", RedisArgument(sha), RedisArgument(keys.count)] + keys.map { RedisArgument($0) } + arguments)
    }

    @Test func saveDocumentRepliesCreatedAndCountsChunksAfterTheFixedArguments() throws {
        let connection = try TestRedis.connection()
        let keys = try uniqueKeys()
        let sha = try load(SaveDocumentScript.script, on: connection)
        let id = "0123abcd"
        let fixed: [RedisArgument] = [RedisArgument(id), "content-hash", "40", "10", "/kb/notes.md", "Notes", "markdown", "12", "1700000000000"]
        #expect(fixed.count == SaveDocumentScript.fixedArgumentCount)
        let chunks = [#"{"index":0}"#, #"{"index":1}"#]

        let reply = try evalsha(
            sha,
            keys: [keys.documents, keys.document(id: id), keys.chunks(id: id)],
            arguments: fixed + chunks.map { RedisArgument($0) },
            on: connection
        )

        #expect(reply == .array([.bulk(Array("created".utf8)), .integer(0)]))
        #expect(try connection.command(["HGET", RedisArgument(keys.document(id: id)), "chunk_count"]).string == "2")
        #expect(try connection.command(["LRANGE", RedisArgument(keys.chunks(id: id)), "0", "-1"]).array?.compactMap(\.string) == chunks)
        #expect(try connection.command(["ZSCORE", RedisArgument(keys.documents), RedisArgument(id)]).integer != nil)
    }

    @Test func removeDocumentRepliesOneAndDeletesAllThreeRecords() throws {
        let connection = try TestRedis.connection()
        let keys = try uniqueKeys()
        let sha = try load(RemoveDocumentScript.script, on: connection)
        let id = "4567cdef"
        try connection.command(["HSET", RedisArgument(keys.document(id: id)), "path", "/kb/gone.md"])
        try connection.command(["RPUSH", RedisArgument(keys.chunks(id: id)), #"{"index":0}"#])
        try connection.command(["ZADD", RedisArgument(keys.documents), "1", RedisArgument(id)])

        let reply = try evalsha(sha, keys: [keys.documents, keys.document(id: id), keys.chunks(id: id)], arguments: [RedisArgument(id)], on: connection)

        #expect(reply == .integer(1))
        #expect(try connection.command(["EXISTS", RedisArgument(keys.document(id: id)), RedisArgument(keys.chunks(id: id))]).integer == 0)
        #expect(try connection.command(["ZSCORE", RedisArgument(keys.documents), RedisArgument(id)]).isNull)
    }
}
