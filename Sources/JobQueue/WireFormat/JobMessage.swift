import Foundation

/// The wire format of a job message (see `docs/wire-format.md`): a JSON object with `payload`
/// and optional `id`, `type`, `max_attempts`, `enqueued_at`.
enum JobMessage {
    /// Encodes a message around a payload given as JSON text; the payload is checked to be JSON
    /// and copied as written.
    static func encode(id: String, type: String, maxAttempts: Int, limiter: String?, concurrencyKey: String?, payload: String) throws -> [UInt8] {
        let payloadBytes = Array(payload.utf8)
        do {
            try JSONValidator.validate(payloadBytes)
        } catch {
            throw JobQueueError(code: .invalidJob, message: "payload is not valid JSON: \(error)")
        }
        var message = "{\"id\":\(quoted(id)),\"type\":\(quoted(type)),\"max_attempts\":\(maxAttempts),"
        if let limiter { message += "\"limiter\":\(quoted(limiter)),"}
        if let concurrencyKey { message += "\"concurrency_key\":\(quoted(concurrencyKey)),"}
        message += "\"payload\":"
        var bytes = Array(message.utf8)
        bytes.reserveCapacity(bytes.count + payloadBytes.count + 1)
        bytes.append(contentsOf: payloadBytes)
        bytes.append(UInt8(ascii: "}"))
        return bytes
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
