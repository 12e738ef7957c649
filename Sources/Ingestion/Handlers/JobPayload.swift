import Foundation
import JobQueue

/// Decoding of job payloads, with failures that name the field at fault.
enum JobPayload {
    /// Decodes the payload of `job` into `T`.
    /// - Throws: a ``HandlerFailure/badPayload(_:)`` naming the field that is missing or has the
    ///   wrong type, or saying the payload is not a JSON object.
    static func decode<T: Decodable>(_ type: T.Type, from job: ReservedJob) throws(HandlerFailure) -> T {
        do {
            return try job.decodePayload(T.self)
        } catch let error as DecodingError {
            throw .badPayload(explain(error))
        } catch let error as JobQueueError {
            throw .badPayload(error.message)
        } catch {
            throw .badPayload("the payload cannot be decoded (\(error))")
        }
    }

    /// Checks that a required string member is not empty.
    /// - Throws: a ``HandlerFailure/badPayload(_:)`` naming the member.
    static func requireNonEmpty(_ value: String, _ field: String) throws(HandlerFailure) {
        if value.isEmpty { throw .badPayload("\"\(field)\" must not be empty") }
    }

    private static func explain(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, let context):
            guard let field = fieldName(context.codingPath) else { return "the payload must be a JSON object" }
            return "\"\(field)\" must be \(typeName(type))"
        case .valueNotFound(let type, let context):
            guard let field = fieldName(context.codingPath) else { return "the payload must be a JSON object, not null" }
            return "\"\(field)\" must be \(typeName(type)), not null"
        case .keyNotFound(let key, let context):
            return "\"\(fieldName(context.codingPath + [key]) ?? key.stringValue)\" is required"
        case .dataCorrupted(let context):
            guard let field = fieldName(context.codingPath) else { return "the payload cannot be decoded (\(context.debugDescription))" }
            return "\"\(field)\" has an invalid value (\(context.debugDescription))"
        @unknown default:
            return "the payload cannot be decoded (\(error))"
        }
    }

    /// `extensions[2]` for the coding path [extensions, index 2]; `nil` for the top level.
    private static func fieldName(_ path: [any CodingKey]) -> String? {
        guard !path.isEmpty else { return nil }
        return path.reduce(into: "") { name, key in
            if let index = key.intValue, key.stringValue.hasPrefix("Index") {
                name += "[\(index)]"
            } else {
                name += name.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is [Any].Type: "an array"
        case is [String: Any].Type: "a JSON object"
        default: "a \(type)"
        }
    }
}
