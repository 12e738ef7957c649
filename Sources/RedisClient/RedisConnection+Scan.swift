/// Walking the keyspace of every primary.
extension RedisConnection {
    /// Finds every key that matches `pattern` with `SCAN … MATCH pattern COUNT count` on each
    /// primary (one server, or every primary of a Redis Cluster), and hands each batch of keys to
    /// `body` as it arrives. A key may be seen twice (SCAN's guarantee); each is seen at least once
    /// if it existed for the whole walk.
    ///
    /// The walk costs about one round trip per `count` keys held by Redis, matching or not.
    /// - Throws: ``RedisError`` (`.unexpectedReply` for a reply that is not a cursor and keys), or
    ///   what `body` throws.
    public func scan(matching pattern: String, count: Int = 1000, _ body: ([String]) throws -> Void) throws {
        for primary in try primaries() {
            var cursor = "0"
            repeat {
                let reply = try command(["SCAN", RedisArgument(cursor), "MATCH", RedisArgument(pattern), "COUNT", RedisArgument(count)], on: primary)
                guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let keys = parts[1].array else {
                    throw RedisError.unexpected(reply, expected: "a SCAN cursor and a list of keys")
                }
                cursor = next
                try body(keys.compactMap(\.string))
            } while cursor != "0"
        }
    }
}
