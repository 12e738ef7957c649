import Foundation

/// A job leased to a consumer: it must be acked, failed or released with its ``token`` before
/// ``Queue/Configuration/lease`` runs out (or the lease extended), else the reaper gives it to
/// another consumer.
public struct ReservedJob: Sendable, Equatable {
    /// The job's id.
    public let id: String
    /// The job's type (`"default"` when the message named none).
    public let type: String
    /// The job's message exactly as stored: a JSON object with at least `payload`.
    public let body: [UInt8]
    /// Which start this is: 1 for the first run.
    public let attempt: Int
    /// How many starts are allowed before dead-lettering.
    public let maxAttempts: Int
    /// How many times the job was in hand when its worker died or its lease expired.
    public let crashes: Int
    /// Proves ownership of the lease; required to ack, fail, release or extend.
    public let token: String
    /// When the job was enqueued, ms since the epoch (Redis clock).
    public let enqueuedAt: Int64
    /// When this run was leased, ms since the epoch (Redis clock).
    public let startedAt: Int64
    /// When a lock guards this run (a concurrency key, or the queue's concurrency limit): the
    /// lock's fencing token, a number that grows with every acquisition. Pass it to downstream
    /// writes so they can refuse a stale holder. `nil` when no lock guards the run.
    public let fencingToken: Int64?

    /// The `payload` member of the message, as JSON text.
    /// - Throws: ``JobQueueError`` `.invalidJob` when the message is not a JSON object with a
    ///   payload (possible only for messages pushed by other clients, e.g. invalid UTF-8).
    public func payloadJSON() throws -> String {
        let object = try message()
        guard let payload = object["payload"] else {
            throw JobQueueError(code: .invalidJob, message: "malformed: no \"payload\" field")
        }
        let data = try JSONSerialization.data(withJSONObject: payload, options: [.fragmentsAllowed, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// The message decoded as a JSON object.
    /// - Throws: ``JobQueueError`` `.invalidJob` naming why it cannot be decoded.
    public func message() throws -> [String: Any] {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        } catch {
            throw JobQueueError(code: .invalidJob, message: "malformed: the message cannot be decoded as UTF-8 JSON")
        }
        guard let object = parsed as? [String: Any] else {
            throw JobQueueError(code: .invalidJob, message: "malformed: not a JSON object")
        }
        return object
    }

    /// Decodes the payload into a `Decodable` type.
    public func decodePayload<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(payloadJSON().utf8))
    }
}

/// What a reserve attempt found.
public enum ReserveOutcome: Sendable, Equatable {
    /// A job, now leased to the caller.
    case job(ReservedJob)
    /// Nothing runnable now; `nextDelayedIn` is when the next delayed job is due, if any.
    case empty(nextDelayedIn: Duration?)
    /// The queue is paused: nothing is handed out.
    case paused
    /// The queue's rate limit has no token now; the next one comes after `retryIn`.
    case throttled(retryIn: Duration)
    /// Every concurrency slot of the queue is held by running jobs.
    case saturated
}
