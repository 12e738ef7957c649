import Foundation
import HumanUnits

/// The lines a ``PersistentCommand`` exchanges with its child (specified in `docs/worker.md`).
///
/// Request, one line on the child's stdin per job: a JSON object with `id`, `type`, `queue`,
/// `attempt`, `max_attempts`, `payload` (the job's payload as enqueued), and `fencing_token` when a
/// lock guards the run.
///
/// Response, one line on the child's stdout per request: a JSON object with the request's `id`
/// (so an extra or late line cannot be taken as the answer to the next job) and a `status` that is
/// - `"ok"`, with an optional `result` (a string, or any JSON value kept as its JSON text);
/// - `"retry"`, with an optional `after` (a duration such as `"30s"`, or a number of seconds);
/// - `"failed"`, with an optional `error` (a string) and `permanent` (`true` dead-letters at once).
/// Anything else is garbage.
enum PersistentProtocol {
    /// The request line for a job, newline included.
    /// - Throws: ``JobQueueError`` `.invalidJob` when the job's message cannot be decoded.
    static func request(for job: ReservedJob, queue: QueueName) throws -> [UInt8] {
        let message = try job.message()
        guard let payload = message["payload"] else {
            throw JobQueueError(code: .invalidJob, message: "malformed: no \"payload\" field")
        }
        var request: [String: Any] = [
            "id": job.id, "type": job.type, "queue": queue.rawValue, "attempt": job.attempt,
            "max_attempts": job.maxAttempts, "payload": payload,
        ]
        if let fencing = job.fencingToken { request["fencing_token"] = fencing }
        let data = try JSONSerialization.data(withJSONObject: request, options: [.sortedKeys, .withoutEscapingSlashes])
        return Array(data) + [UInt8(ascii: "\n")]
    }

    /// What a response line asks for.
    struct Response: Equatable {
        /// The id of the job answered: the request's `id`, echoed.
        var id: String
        /// How the job is settled.
        var result: JobResult
        /// The run's result text for a completed job, if any.
        var resultText: String?
    }

    /// Reads a response line.
    /// - Parameter retryDelay: the delay of a `"retry"` without `after`.
    /// - Returns: the response, or `nil` when the line is garbage.
    static func response(from line: [UInt8], retryDelay: Duration) -> Response? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
            let id = object["id"] as? String, let status = object["status"] as? String
        else { return nil }
        switch status {
        case "ok":
            switch object["result"] {
            case nil, is NSNull:
                return Response(id: id, result: .completed)
            case let text as String:
                return Response(id: id, result: .completed, resultText: text)
            case let value?:
                guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes])
                else { return nil }
                return Response(id: id, result: .completed, resultText: String(decoding: data, as: UTF8.self))
            }
        case "retry":
            switch object["after"] {
            case nil, is NSNull:
                return Response(id: id, result: .retryLater(after: retryDelay))
            case let text as String:
                guard let delay = try? DurationText.parse(text) else { return nil }
                return Response(id: id, result: .retryLater(after: delay))
            case let number as NSNumber where !isBoolean(number):
                let seconds = number.doubleValue
                guard seconds.isFinite, seconds >= 0, seconds < 1e9 else { return nil }
                return Response(id: id, result: .retryLater(after: .milliseconds(Int64(seconds * 1000))))
            default:
                return nil
            }
        case "failed":
            let error: String
            switch object["error"] {
            case nil, is NSNull: error = "failed"
            case let text as String: error = text.isEmpty ? "failed" : text
            default: return nil
            }
            switch object["permanent"] {
            case nil, is NSNull: return Response(id: id, result: .failed(error))
            case let flag as NSNumber where isBoolean(flag):
                return Response(id: id, result: flag.boolValue ? .failedPermanently(reason: error) : .failed(error))
            default: return nil
            }
        default:
            return nil
        }
    }

    /// Whether a number JSONSerialization read was `true` or `false`: both bridge to `Bool`, as do
    /// 0 and 1, and only the encoding tells them apart.
    private static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }

    /// A short, printable excerpt of a garbage line for an error message: its first 200 bytes.
    static func excerpt(_ line: [UInt8]) -> String {
        let text = String(decoding: line.prefix(200), as: UTF8.self)
        let escaped = text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
        return line.count > 200 ? escaped + "…" : escaped
    }
}
