/// Walking the keyspace of every primary.
extension RedisConnection {
    /// Finds every key that matches `pattern` with `SCAN … MATCH pattern COUNT count` on each
    /// primary (one server, or every primary of a Redis Cluster), and hands each batch of keys to
    /// `body` as it arrives. A key may be seen twice (SCAN's guarantee); each is seen at least once
    /// if it existed for the whole walk.
    ///
    /// The walk costs about one round trip per `count` keys held by Redis, matching or not.
    /// - Parameter skippingUnreachable: on a Redis Cluster with a primary down, walk the others
    ///   instead of failing (the keys on the missing primary are not seen).
    /// - Returns: the primaries that could not be reached and were skipped.
    /// - Throws: ``RedisError`` (`.unexpectedReply` for a reply that is not a cursor and keys), or
    ///   what `body` throws.
    @discardableResult
    public func scan(
        matching pattern: String, count: Int = 1000, skippingUnreachable: Bool = false, _ body: ([String]) throws -> Void
    ) throws -> [RedisConfiguration.Endpoint] {
        var skipped: [RedisConfiguration.Endpoint] = []
        for primary in try primaries() {
            var cursor = "0"
            do {
                repeat {
                    let reply = try command(["SCAN", RedisArgument(cursor), "MATCH", RedisArgument(pattern), "COUNT", RedisArgument(count)], on: primary)
                    guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let keys = parts[1].array else {
                        throw RedisError.unexpected(reply, expected: "a SCAN cursor and a list of keys")
                    }
                    cursor = next
                    try body(keys.compactMap(\.string))
                } while cursor != "0"
            } catch let error as RedisError where skippingUnreachable && error.isRetryable {
                skipped.append(primary)
            }
        }
        return skipped
    }
}
