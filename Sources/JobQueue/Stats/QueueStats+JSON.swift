import Foundation

extension QueueStats {
    /// The version of the `jobq stats --json` document; it changes only when a field is removed or
    /// changes meaning (new fields may appear at any time).
    public static let jsonSchemaVersion = 1

    /// The `jobq stats --json` document for several queues: `{"schema": 1, "queues": [...],
    /// "redis": {...}}`, keys sorted, documented in `docs/stats-json.md`; `redis` is left out when
    /// `redis` is `nil`.
    public static func jsonDocument(_ stats: [QueueStats], redis: RedisMemory? = nil, prettyPrinted: Bool = true) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = prettyPrinted ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(Document(schema: jsonSchemaVersion, queues: stats, redis: redis)), as: UTF8.self)
    }

    /// Reads a `jobq stats --json` document.
    public static func decodeJSONDocument(_ data: Data) throws -> [QueueStats] {
        try JSONDecoder().decode(Document.self, from: data).queues
    }

    private struct Document: Codable {
        var schema: Int
        var queues: [QueueStats]
        var redis: RedisMemory?
    }
}
