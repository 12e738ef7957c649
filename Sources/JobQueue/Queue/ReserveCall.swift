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

    /// Decodes the reserve part of a settle-batch reply (`Lua/settle-batch.lua`): a job that waited
    /// in compact form comes as three values (id, payload, ms from its enqueue to `now`), on its
    /// first attempt with `token`, its max_attempts and type those of the last (integer, type or
    /// `""` for `default`) pair before it; any other job, or the refusal that ended a batch that
    /// took none, as a reserve reply.
    static func batch(_ reserved: [RedisReply], now: Int64, token: String) throws -> (jobs: [ReservedJob], refusal: ReserveOutcome?) {
        var jobs: [ReservedJob] = []
        jobs.reserveCapacity(reserved.count / 3 + 1)
        var refusal: ReserveOutcome?
        var shared: (maxAttempts: Int, type: String)?
        var index = reserved.startIndex
        func mismatch() -> JobQueueError { JobQueueError.protocolMismatch("settle-batch", .array(reserved)) }
        while index < reserved.endIndex {
            switch reserved[index] {
            case .integer(let maxAttempts):
                guard index + 1 < reserved.endIndex, case .bulk(let type) = reserved[index + 1] else { throw mismatch() }
                shared = (Int(maxAttempts), type.isEmpty ? "default" : String(decoding: type, as: UTF8.self))
                index += 2
            case .bulk(let id):
                guard let (maxAttempts, type) = shared, index + 2 < reserved.endIndex, case .bulk(let payload) = reserved[index + 1],
                      case .integer(let age) = reserved[index + 2]
                else { throw mismatch() }
                let jobID = String(decoding: id, as: UTF8.self)
                jobs.append(ReservedJob(
                    id: jobID, type: type,
                    body: JobMessage.assemble(id: jobID, type: type, maxAttempts: maxAttempts, limiter: nil, concurrencyKey: nil, payload: payload),
                    attempt: 1, maxAttempts: maxAttempts, crashes: 0, token: token, enqueuedAt: now - age, startedAt: now, fencingToken: nil))
                index += 3
            default:
                switch try outcome(reserved[index]) {
                case .job(let job): jobs.append(job)
                case let other: refusal = other
                }
                index += 1
            }
        }
        return (jobs, refusal)
    }
}
