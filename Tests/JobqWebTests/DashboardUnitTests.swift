import Foundation
import JobQueue
@testable import JobqWeb
import Testing

@Suite("Dashboard parts") struct DashboardUnitTests {
    @Test func listenAddressTakesHostPortIPv6AndABarePort() throws {
        #expect(try ListenAddress("127.0.0.1:8080") == ListenAddress("8080"))
        #expect(try ListenAddress("0.0.0.0:80").isLoopback == false)
        let v6 = try ListenAddress("[::1]:9000")
        #expect(v6.host == "::1" && v6.port == 9000 && v6.isLoopback)
        for bad in ["", "host:", ":80", "127.0.0.1:65536", "[::1]9000", "localhost:http"] {
            #expect(throws: WebError.self, "\(bad)") { try ListenAddress(bad) }
        }
    }

    @Test func tokenMatchesOnlyItselfWhateverTheLengthOfTheGuess() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-token-\(UUID().uuidString)")
        try Data("  0123456789abcdef-token \nsecond line\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let token = try ActionToken(file: file.path)
        #expect(token.matches("0123456789abcdef-token"))
        for guess in [nil, "", "0123456789abcdef-toke", "0123456789abcdef-token ", "0123456789abcdef-tokeN", "0123456789abcdef-token-and-more"] {
            #expect(!token.matches(guess), "\(String(describing: guess))")
        }
    }

    @Test func counterHistoryRunsOldestFirstFromTheStartOfTheOldestMinute() {
        var current = StatsCounters(), previous = StatsCounters()
        current.processed = 3
        previous.processed = 1
        previous.launches = 2
        let now: Int64 = 10 * 60_000 + 12_345
        let history = CounterHistory(newestFirst: [current, previous, StatsCounters()], now: now)
        #expect(history.start == 8 * 60_000)
        #expect(history.series(.processed) == [0, 1, 3])
        let timeline = TimelineEntry.timeline(
            history: history,
            supervisor: SupervisorSummary(status: SupervisorStatus(fields: [:]), now: now, silentAfter: .seconds(15)),
            exits: [], events: [], since: history.start)
        #expect(timeline == [TimelineEntry(at: 9 * 60_000, kind: .launches, text: "2 worker launches")])
    }
}
