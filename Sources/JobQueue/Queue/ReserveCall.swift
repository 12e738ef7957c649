import RedisClient

/// The reserve script's arguments and replies (`Lua/reserve.lua`, and the reserve half of
/// `Lua/complete.lua`).
enum ReserveCall {
    /// The arguments after the queue's key: consumer, fetched flag, promote flag, lease ms, max
    /// message bytes, default max attempts.
    static func arguments(consumer: String, fetched: Bool, promote: Bool, configuration: Queue.Configuration) -> [RedisArgument] {
        [
            RedisArgument(consumer), fetched ? "1" : "0", promote ? "1" : "0", RedisArgument(Int(configuration.lease.milliseconds)),
            RedisArgument(configuration.maxMessageBytes), RedisArgument(configuration.defaultMaxAttempts),
        ]
    }

    /// Decodes a reserve reply; `nil` means "busy: call again".
    static func outcome(_ reply: RedisReply) throws -> ReserveOutcome? {
        guard let parts = reply.array, let kind = parts.first?.string else { throw JobQueueError.protocolMismatch("reserve", reply) }
        switch kind {
        case "job":
            guard parts.count == 14, let id = parts[1].string, let attempt = parts[3].integer, let token = parts[4].string,
                  let crashes = parts[5].integer, let maxAttempts = parts[6].integer, let enqueuedAt = parts[7].integer,
                  let type = parts[8].string, let now = parts[9].integer, let fencing = parts[10].integer
            else { throw JobQueueError.protocolMismatch("reserve", reply) }
            let body: [UInt8]
            switch (parts[2], parts[11]) {
            case (.bulk(let message), _):
                body = message
            case (_, .bulk(let payload)):
                body = JobMessage.assemble(
                    id: id, type: type, maxAttempts: Int(maxAttempts), limiter: parts[12].string,
                    concurrencyKey: parts[13].string, payload: payload)
            default:
                throw JobQueueError.protocolMismatch("reserve", reply)
            }
            return .job(ReservedJob(
                id: id, type: type, body: body, attempt: Int(attempt), maxAttempts: Int(maxAttempts),
                crashes: Int(crashes), token: token, enqueuedAt: enqueuedAt, startedAt: now,
                fencingToken: fencing > 0 ? fencing : nil))
        case "empty":
            let next = parts.count > 1 ? parts[1].integer ?? -1 : -1
            return .empty(nextDelayedIn: next >= 0 ? .milliseconds(next) : nil)
        case "paused":
            return .paused
        case "throttled":
            return .throttled(retryIn: .milliseconds(parts.count > 1 ? parts[1].integer ?? 1 : 1))
        case "saturated":
            return .saturated
        case "busy":
            return nil
        default:
            throw JobQueueError.protocolMismatch("reserve", reply)
        }
    }
}
