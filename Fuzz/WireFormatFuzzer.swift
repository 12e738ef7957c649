// A libFuzzer target for the wire-format path a consumer runs on bytes any Redis client may push:
// `ReservedJob.message()` and `payloadJSON()` on arbitrary message bodies, and `JobMessage.encode`
// (`validatedPayload` + `assemble`) on arbitrary payload text and ids. It is compiled together with those JobQueue sources (so it
// can reach the internal encoder), by scripts/chaos/fuzz.py:
//
//   swiftc -swift-version 6 -sanitize=fuzzer,address -parse-as-library -module-name JobQueueFuzz \
//       Fuzz/WireFormatFuzzer.swift <the JobQueue sources it needs> -o wire-format-fuzzer
//
// A crash, a sanitizer report, or a failed round trip (reported with fatalError) is a finding.
import Foundation

/// libFuzzer's entry point: checks every property on one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func wireFormatFuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    WireFormatProperties.decodingNeverCrashes(body: bytes)
    WireFormatProperties.encodedPayloadsRoundTrip(payloadText: String(decoding: bytes, as: UTF8.self), seed: bytes)
    return 0
}

/// The properties checked on every input.
enum WireFormatProperties {
    /// Decoding a body pushed by anyone either succeeds or throws; when it yields a payload, that
    /// payload can be wrapped again by the encoder and read back unchanged.
    static func decodingNeverCrashes(body: [UInt8]) {
        let job = reservedJob(body: body)
        _ = try? job.message()
        guard let payload = try? job.payloadJSON() else { return }
        guard let encoded = try? encode(payload: payload, id: "fuzz-1", type: "fuzz") else {
            fatalError("a payload decoded from a message could not be encoded again: \(payload.prefix(200))")
        }
        expectSamePayload(original: payload, encoded: encoded, id: "fuzz-1", type: "fuzz")
    }

    /// Any payload text the encoder accepts yields a message whose payload, id and type decode back
    /// to what was given, whatever characters the id and type hold.
    static func encodedPayloadsRoundTrip(payloadText: String, seed: [UInt8]) {
        let id = String(decoding: seed.prefix(12), as: UTF8.self)
        let type = String(decoding: seed.suffix(6), as: UTF8.self)
        guard let encoded = try? encode(payload: payloadText, id: id, type: type) else { return }
        expectSamePayload(original: payloadText.trimmingCharacters(in: .whitespacesAndNewlines), encoded: encoded, id: id, type: type)
    }

    private static func encode(payload: String, id: String, type: String) throws -> [UInt8] {
        JobMessage.assemble(
            id: id, type: type, maxAttempts: 3, limiter: nil, concurrencyKey: nil, payload: try JobMessage.validatedPayload(payload))
    }

    private static func expectSamePayload(original: String, encoded: [UInt8], id: String, type: String) {
        let job = reservedJob(body: encoded)
        let message: [String: Any]
        let decoded: String
        do {
            message = try job.message()
            decoded = try job.payloadJSON()
        } catch {
            fatalError("an encoded message does not decode (\(error)): \(String(decoding: encoded.prefix(200), as: UTF8.self))")
        }
        guard message["id"] as? String == id, message["type"] as? String == type, message["max_attempts"] as? Int == 3 else {
            fatalError("id, type or max_attempts changed in a round trip: \(String(decoding: encoded.prefix(200), as: UTF8.self))")
        }
        guard canonical(original) == canonical(decoded) else {
            fatalError("the payload changed in a round trip: \(original.prefix(200)) became \(decoded.prefix(200))")
        }
    }

    /// JSON text rewritten with sorted keys until it no longer changes, so that two texts of the
    /// same value compare equal. One pass is not enough: Foundation reads `-0E0` as the Double -0
    /// and writes `-0`, which it then reads as the integer 0.
    private static func canonical(_ text: String) -> Data? {
        var data = Data(text.utf8)
        for _ in 0..<3 {
            guard let value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
                  let again = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])
            else { return nil }
            if again == data { break }
            data = again
        }
        return data
    }

    private static func reservedJob(body: [UInt8]) -> ReservedJob {
        ReservedJob(id: "fuzz", type: "fuzz", body: body, attempt: 1, maxAttempts: 1, crashes: 0, token: "t",
                    enqueuedAt: 0, startedAt: 0, fencingToken: nil)
    }
}
