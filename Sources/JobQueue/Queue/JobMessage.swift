import Foundation

/// The wire format of a job message (see `docs/wire-format.md`): a JSON object with `payload`
/// and optional `id`, `type`, `max_attempts`, `enqueued_at`.
enum JobMessage {
    /// Encodes a message around a payload given as JSON text; the payload is checked to be JSON
    /// and copied as written.
    static func encode(id: String, type: String, maxAttempts: Int, limiter: String?, concurrencyKey: String?, payload: String) throws -> [UInt8] {
        let trimmed = payload.trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            _ = try JSONSerialization.jsonObject(with: Data(trimmed.utf8), options: [.fragmentsAllowed])
        } catch {
            throw JobQueueError(code: .invalidJob, message: "payload is not valid JSON: \(Self.reason(error))")
        }
        var message = "{\"id\":\(quoted(id)),\"type\":\(quoted(type)),\"max_attempts\":\(maxAttempts),"
        if let limiter { message += "\"limiter\":\(quoted(limiter)),"}
        if let concurrencyKey { message += "\"concurrency_key\":\(quoted(concurrencyKey)),"}
        message += "\"payload\":"
        message += trimmed
        message += "}"
        return Array(message.utf8)
    }

    /// A JSON string literal for `text`.
    static func quoted(_ text: String) -> String {
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

    private static func reason(_ error: any Error) -> String {
        let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
        return text ?? "unexpected character or end of input"
    }
}
