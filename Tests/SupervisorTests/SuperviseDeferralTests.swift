import Foundation
import Glibc
import JobQueue
import JobqTestSupport
import Processes
import Testing

/// A supervisor that defers launches says why in words a newcomer can act on: each figure, the
/// `jobq supervise` option whose limit it crosses and that limit, in its log and in `jobq stats`.
@Suite(.serialized)
struct SuperviseDeferralTests {
    @Test func aHostBelowMinAvailableDefersWithTheFigureTheOptionAndItsLimitInTheLogAndInStats() throws {
        let queue = try TestRedis.queue()
        let name = queue.name.rawValue
        try enqueueExampleJobs(queue, count: 1)
        // No machine has 1000 TiB available: the host is always busy for this supervisor.
        let supervisor = try JobqProcess(["supervise", name, "--tick", "100ms", "--max-load", "100", "--max-cpu-pressure", "100",
                                          "--min-available", "1000T", "--"] + exampleWorkerCommand(queue))
        defer { _ = supervisor.child.terminate(grace: .seconds(5)) }

        #expect(eventually(timeout: .seconds(5)) { (try? queue.supervisorStatus().state) == .deferred })
        let detail = try #require(try queue.supervisorStatus().detail)
        #expect(detail.hasPrefix("host busy: available memory ") && detail.hasSuffix(" is below --min-available 1000T"), "\(detail)")

        let text = try runJobq(["stats", name])
        let words = text.output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("supervisor deferred: \(detail) (\(ProcessInfo.processInfo.hostName) pid \(supervisor.pid), since "), "\(text.output)")

        let json = try runJobq(["stats", name, "--json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let stats = try #require((document["queues"] as? [[String: Any]])?.first)
        let reported = try #require(stats["supervisor"] as? [String: Any])
        #expect(reported["state"] as? String == "deferred" && reported["detail"] as? String == detail, "\(reported)")

        #expect(try queue.workerExits().isEmpty && exampleWorkers(of: queue).isEmpty, "nothing was launched")
        supervisor.child.signal(SIGTERM)
        #expect(supervisor.finish(timeout: .seconds(5)).isSuccess)
        #expect(supervisor.standardError.contains("deferred: \(detail)\n"), "\(supervisor.standardError)")
    }
}
