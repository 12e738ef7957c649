import Foundation
@testable import JobQueue
import Testing

/// The response lines of the persistent-command protocol (docs/worker.md), one rule each.
@Suite("Persistent command response lines") struct PersistentProtocolTests {
    private func read(_ line: String) -> PersistentProtocol.Response? {
        PersistentProtocol.response(from: Array(line.utf8), retryDelay: .seconds(30))
    }

    @Test func okCarriesAnOptionalResultKeptAsTextOrAsJSON() {
        #expect(read(#"{"id":"j","status":"ok"}"#) == .init(id: "j", result: .completed))
        #expect(read(#"{"id":"j","status":"ok","result":"12 chunks"}"#) == .init(id: "j", result: .completed, resultText: "12 chunks"))
        #expect(read(#"{"id":"j","status":"ok","result":{"chunks":12}}"#) == .init(id: "j", result: .completed, resultText: #"{"chunks":12}"#))
        #expect(read(#"{"id":"j","status":"ok","result":null,"extra":[1]}"#) == .init(id: "j", result: .completed), "unknown fields are ignored")
    }

    @Test func retryTakesADurationTextOrSecondsElseTheDefault() {
        #expect(read(#"{"id":"j","status":"retry"}"#) == .init(id: "j", result: .retryLater(after: .seconds(30))))
        #expect(read(#"{"id":"j","status":"retry","after":"5m"}"#) == .init(id: "j", result: .retryLater(after: .seconds(300))))
        #expect(read(#"{"id":"j","status":"retry","after":1.5}"#) == .init(id: "j", result: .retryLater(after: .milliseconds(1500))))
        #expect(read(#"{"id":"j","status":"retry","after":"soon"}"#) == nil)
        #expect(read(#"{"id":"j","status":"retry","after":-1}"#) == nil)
        #expect(read(#"{"id":"j","status":"retry","after":true}"#) == nil, "a boolean is not a number")
    }

    @Test func failedTakesAnErrorAndMayBePermanent() {
        #expect(read(#"{"id":"j","status":"failed"}"#) == .init(id: "j", result: .failed("failed")))
        #expect(read(#"{"id":"j","status":"failed","error":"upstream 503"}"#) == .init(id: "j", result: .failed("upstream 503")))
        #expect(read(#"{"id":"j","status":"failed","error":"bad input","permanent":true}"#) == .init(id: "j", result: .failedPermanently(reason: "bad input")))
        #expect(read(#"{"id":"j","status":"failed","error":7}"#) == nil)
        #expect(read(#"{"id":"j","status":"failed","permanent":"yes"}"#) == nil)
        #expect(read(#"{"id":"j","status":"failed","permanent":1}"#) == nil, "a number is not a boolean")
        #expect(read(#"{"id":"j","status":"failed","permanent":false}"#) == .init(id: "j", result: .failed("failed")))
    }

    @Test func theJobsIdIsEchoedAndRequired() {
        #expect(read(#"{"id":"0190-a","status":"ok"}"#)?.id == "0190-a")
        #expect(read(#"{"status":"ok"}"#) == nil, "an answer without the job's id could belong to any job")
        #expect(read(#"{"id":7,"status":"ok"}"#) == nil)
        #expect(read(#"{"id":null,"status":"ok"}"#) == nil)
    }

    @Test func anythingElseIsGarbage() {
        for line in ["", "ok", "[]", #""ok""#, "{}", #"{"id":"j","status":"OK"}"#, #"{"id":"j","status":1}"#, #"{"id":"j","status":"ok""#, "\u{FF}"] {
            #expect(read(line) == nil, "\(line.debugDescription) is garbage")
        }
    }
}
