import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

/// The cost of `Queue.stats()` does not grow with the length of the queue: it reads list lengths,
/// set sizes and the tail of the waiting list, never the jobs themselves.
@Suite("Statistics cost", .serialized) struct StatsCostTests {
    /// Enqueues `count` jobs through the library in pipelined batches.
    private func fill(_ queue: Queue, count: Int) throws {
        let batch = 10_000
        for start in stride(from: 0, to: count, by: batch) {
            _ = try queue.enqueue(batch: (start..<min(count, start + batch)).map { _ in NewJob(payload: "{}", options: EnqueueOptions(type: "noop")) })
        }
    }

    /// Latencies in seconds of a raw PING round trip and of `stats()` on a queue of each length,
    /// measured in turns (a PING, then each queue) so that a busy moment weighs on all alike.
    private struct Latencies {
        var samples: [[Double]]

        /// The given percentile (0 to 100) of each series: PING first, then one per queue.
        func percentile(_ rank: Int) -> [Double] {
            samples.map { $0.sorted()[min($0.count - 1, $0.count * rank / 100)] }
        }
    }

    private func measure(lengths: [Int], server: RedisServer, rounds: Int = 101) throws -> Latencies {
        let connection = try RedisConnection(configuration: RedisConfiguration(url: server.url))
        let queues = try lengths.map { length -> Queue in
            let queue = Queue(name: try QueueName("cost-\(length)"), connection: connection)
            try fill(queue, count: length)
            #expect(try queue.counts().waiting == length)
            return queue
        }
        let calls: [() throws -> Void] = [{ _ = try connection.command(["PING"]) }] + queues.map { queue in { _ = try queue.stats() } }
        for call in calls { try call() }
        var samples = Array(repeating: [Double](), count: calls.count)
        for _ in 0..<rounds {
            for (index, call) in calls.enumerated() {
                let start = ContinuousClock.now
                try call()
                let elapsed = ContinuousClock.now - start
                samples[index].append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            }
        }
        return Latencies(samples: samples)
    }

    @Test func statsWith200kWaitingJobsCostsAboutWhatItCostsWith1k() throws {
        let server = try RedisServer()
        defer { server.stop() }
        // The 10th percentile: the cost itself, with little of the noise of other tests running.
        let figures = try measure(lengths: [1_000, 200_000], server: server).percentile(10)
        let (ping, small, large) = (figures[0], figures[1], figures[2])
        #expect(large < small * 2 + 0.000_5, "1k: \(small * 1e6) µs, 200k: \(large * 1e6) µs")
        #expect(large < ping * 30, "stats at 200k: \(large * 1e6) µs; PING: \(ping * 1e6) µs")
    }

    /// The figure for docs/benchmarks.md ("jobq stats at scale"): medians. Takes about 15 seconds and
    /// a few hundred megabytes of memory in a private Redis: run with JOBQ_STATS_SCALE=1.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["JOBQ_STATS_SCALE"] == "1", "set JOBQ_STATS_SCALE=1"))
    func statsWithAMillionWaitingJobsAsARatioToPing() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let figures = try measure(lengths: [0, 1_000_000], server: server).percentile(50)
        let (ping, empty, million) = (figures[0], figures[1], figures[2])
        let text = { (value: Double) in String(format: "%.1f", value) }
        print("jobq stats at scale: PING \(text(ping * 1e6)) µs; stats, empty queue \(text(empty * 1e6)) µs"
            + " (\(text(empty / ping))× PING); stats, 1,000,000 waiting \(text(million * 1e6)) µs (\(text(million / ping))× PING)")
        #expect(million < empty * 2 + 0.000_5)
    }
}
