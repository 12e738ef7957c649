import JobQueue
import RedisClient

/// Whether Redis (as `command` reaches it) holds job `id` of the queue with `keys`: its hash, or,
/// for a job waiting in compact form, its record in its bucket.
public func jobIsStored(_ id: String, _ keys: QueueKeys, _ command: ([RedisArgument]) throws -> RedisReply) throws -> Bool {
    if try command(["EXISTS", RedisArgument(keys.job(id))]).integer == 1 { return true }
    guard let record = keys.compactRecord(of: id) else { return false }
    return try command(["HEXISTS", RedisArgument(record.bucket), RedisArgument(record.field)]).integer == 1
}

/// Deletes job `id` as Redis's eviction would: its hash, or the record of a job waiting in compact form.
public func deleteStoredJob(_ id: String, _ queue: Queue) throws {
    try queue.connection.command(["DEL", RedisArgument(queue.keys.job(id))])
    if let record = queue.keys.compactRecord(of: id) {
        try queue.connection.command(["HDEL", RedisArgument(record.bucket), RedisArgument(record.field)])
    }
}
