import Foundation
@testable import JobQueue
import Testing

/// The response lines of the persistent-command protocol (docs/worker.md), one rule each.
@Suite("Persistent command response lines") struct PersistentProtocolTests {
    private func read(_ line: String) -> PersistentProtocol.Response? {
        PersistentProtocol.response(from: Array(line.utf8), retryDelay: .seconds(30))
    }

    @Test func okCarriesAnOptionalResultKeptAsTextOrAsJSON() {
        #expect(read(#"{"status":"ok"}"#) == .init(result: .completed))
        #expect(read(#"{"status":"ok","result":"12 chunks"}"#) == .init(result: .completed, resultText: "12 chunks"))
        #expect(read(#"{"status":"ok","result":{"chunks":12}}"#) == .init(result: .completed, resultText: #"{"chunks":12}"#))
        #expect(read(#"{"status":"ok","result":null,"extra":[1]}"#) == .init(result: .completed), "unknown fields are ignored")
    }

    @Test func retryTakesADurationTextOrSecondsElseTheDefault() {
        #expect(read(#"{"status":"retry"}"#) == .init(result: .retryLater(after: .seconds(30))))
        #expect(read(#"{"status":"retry","after":"5m"}"#) == .init(result: .retryLater(after: .seconds(300))))
        #expect(read(#"{"status":"retry","after":1.5}"#) == .init(result: .retryLater(after: .milliseconds(1500))))
        #expect(read(#"{"status":"retry","after":"soon"}"#) == nil)
        #expect(read(#"{"status":"retry","after":-1}"#) == nil)
    }

    @Test func failedTakesAnErrorAndMayBePermanent() {
        #expect(read(#"{"status":"failed"}"#) == .init(result: .failed("failed")))
        #expect(read(#"{"status":"failed","error":"upstream 503"}"#) == .init(result: .failed("upstream 503")))
        #expect(read(#"{"status":"failed","error":"bad input","permanent":true}"#) == .init(result: .failedPermanently(reason: "bad input")))
        #expect(read(#"{"status":"failed","error":7}"#) == nil)
        #expect(read(#"{"status":"failed","permanent":"yes"}"#) == nil)
    }

    @Test func anythingElseIsGarbage() {
        for line in ["", "ok", "[]", #""ok""#, "{}", #"{"status":"OK"}"#, #"{"status":1}"#, #"{"status":"ok""#, "\u{FF}"] {
            #expect(read(line) == nil, "\(line.debugDescription) is garbage")
        }
    }
}
