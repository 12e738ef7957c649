import RedisClient

/// Finding every queue a Redis holds, including those jobq never wrote to.
extension Queue {
    /// Every queue that can be found, sorted: the registry (queues a jobq call wrote to, see
    /// ``registeredNames(on:)``) and every queue that has a waiting list, found with
    /// `SCAN 0 MATCH jobq:{*}:wait COUNT 1000` on each primary: queues only other clients push to.
    ///
    /// The scan walks every key of every primary, a thousand per round trip, so it costs about
    /// one round trip per thousand keys in Redis (a million keys: a thousand round trips, well
    /// under a second on a local network). Nothing in the hot path calls it; `jobq stats` without
    /// a queue name, `--all` options and `jobq diagnose` do. On a Redis Cluster with a master down
    /// it returns what the others hold (a queue only that master knew of is missing).
    /// - Throws: ``JobQueueError`` `.redis`.
    public static func knownNames(on connection: RedisConnection) throws -> [QueueName] {
        var names: Set<QueueName> = []
        do {
            // On a cluster with a master down, the queues on the others are still worth showing.
            names.formUnion(try registeredNames(on: connection))
        } catch let error as JobQueueError where error.redisError?.isRetryable == true && (try? connection.isCluster) == true {}
        do {
            try connection.scan(matching: QueueKeys.waitKeyPattern, skippingUnreachable: true) { keys in
                for key in keys {
                    if let name = QueueKeys.queue(ofWaitKey: key) { names.insert(name) }
                }
            }
        } catch let error as RedisError {
            throw JobQueueError(code: .redis, message: error.message, redisError: error)
        }
        return names.sorted { $0.rawValue < $1.rawValue }
    }
}
