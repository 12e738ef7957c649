import Foundation

/// The wire format of a job message (see `docs/wire-format.md`): a JSON object with `payload`
/// and optional `id`, `type`, `max_attempts`, `enqueued_at`, `limiter`, `concurrency_key`.
///
/// Jobs that jobq enqueues keep their parts in the job hash (compact for small payloads); their
/// message is assembled here when a consumer takes the job or `jobq show` displays it.
enum JobMessage {
    /// Checks that a payload is one JSON value and returns its bytes, as written.
    /// - Throws: ``JobQueueError`` `.invalidJob` naming what is wrong and where.
    static func validatedPayload(_ payload: String) throws -> [UInt8] {
        let bytes = Array(payload.utf8)
        do {
            try JSONValidator.validate(bytes)
        } catch {
            throw JobQueueError(code: .invalidJob, message: "payload is not valid JSON: \(error)")
        }
        return bytes
    }

    /// The message of a job jobq enqueued, from its parts: what a consumer and `jobq show` see.
    /// The payload is copied as written.
    static func assemble(id: String, type: String, maxAttempts: Int, limiter: String?, concurrencyKey: String?, payload: [UInt8]) -> [UInt8] {
        var message = "{\"id\":\(quoted(id)),\"type\":\(quoted(type)),\"max_attempts\":\(maxAttempts),"
        if let limiter { message += "\"limiter\":\(quoted(limiter)),"}
        if let concurrencyKey { message += "\"concurrency_key\":\(quoted(concurrencyKey)),"}
        message += "\"payload\":"
        var bytes = Array(message.utf8)
        bytes.reserveCapacity(bytes.count + payload.count + 1)
        bytes.append(contentsOf: payload)
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    /// The length in bytes of ``assemble(id:type:maxAttempts:limiter:concurrencyKey:payload:)``'s
    /// message, computed without building it: what enqueue checks against the size limit.
    static func assembledCount(id: String, type: String, maxAttempts: Int, limiter: String?, concurrencyKey: String?, payloadCount: Int) -> Int {
        // {"id":,"type":,"max_attempts":,"payload":} are 42 bytes besides the values.
        var count = 42 + quotedCount(id) + quotedCount(type) + String(maxAttempts).utf8.count + payloadCount
        if let limiter { count += 11 + quotedCount(limiter) }  // "limiter": ,
        if let concurrencyKey { count += 19 + quotedCount(concurrencyKey) }  // "concurrency_key": ,
        return count
    }

    /// The length in bytes of ``quoted(_:)``'s literal for `text`.
    static func quotedCount(_ text: String) -> Int {
        // Over the string's own storage (every native string has it): a third of the cost of
        // walking the UTF-8 view, on every enqueue.
        text.utf8.withContiguousStorageIfAvailable(quotedCount) ?? quotedCount(text.utf8)
    }

    private static func quotedCount(_ bytes: some Sequence<UInt8>) -> Int {
        var count = 2
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): count += 2
            case ..<0x20: count += 6
            default: count += 1
            }
        }
        return count
    }

    /// A JSON string literal for `text`.
    static func quoted(_ text: String) -> String {
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            return "\"" + text + "\""
        }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
