import Foundation
import RedisClient

/// The record of operator actions on a queue (`QueueKeys.events`).
extension Queue {
    /// Records an operator action, newest first; the last 50 are kept.
    /// - Returns: the event as stored, with `at` from the Redis clock.
    @discardableResult
    public func recordEvent(_ event: OperatorEvent) throws -> OperatorEvent {
        var unstamped = event
        unstamped.at = 0
        let json = try JSONEncoder().encode(unstamped)
        let reply = try redis {
            try write(QueueScripts.recordEvent, calls: [(keys: keys.scriptKeys, arguments: [RedisArgument(bytes: Array(json))])])[0].throwingServerError()
        }
        guard let stored = OperatorEvent(reply: reply) else { throw JobQueueError.protocolMismatch("record-event", reply) }
        return stored
    }

    /// The recorded operator actions, newest first. Records this version cannot read are skipped.
    /// - Parameter limit: how many to return (at most 50 are kept).
    public func events(limit: Int = 50) throws -> [OperatorEvent] {
        guard limit > 0 else { return [] }
        let reply = try redis { try connection.command(["LRANGE", RedisArgument(keys.events), "0", RedisArgument(limit - 1)]) }
        return (reply.array ?? []).compactMap(OperatorEvent.init(reply:))
    }
}

extension OperatorEvent {
    /// Decodes a stored event from a bulk reply; `nil` for anything else.
    init?(reply: RedisReply) {
        guard case .bulk(let bytes) = reply, let event = try? JSONDecoder().decode(OperatorEvent.self, from: Data(bytes)) else { return nil }
        self = event
    }
}
