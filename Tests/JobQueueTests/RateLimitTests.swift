import Foundation
import JobQueue
import JobqTestSupport
import Testing

@Suite("Token-bucket rate limits") struct RateLimitTests {
    @Test func ratesParseInEveryWrittenForm() throws {
        #expect(try RateLimit.parse("20/s") == RateLimit(count: 20, period: .seconds(1)))
        #expect(try RateLimit.parse("10/m", burst: 5) == RateLimit(count: 10, period: .seconds(60), burst: 5))
        #expect(try RateLimit.parse("100/h") == RateLimit(count: 100, period: .seconds(3600)))
        #expect(try RateLimit.parse("5/30s") == RateLimit(count: 5, period: .seconds(30)))
        for bad in ["", "10", "x/s", "0/s", "10/fortnight", "-1/s"] {
            #expect(throws: JobQueueError.self) { try RateLimit.parse(bad) }
        }
        #expect(throws: JobQueueError.self) { try RateLimit.parse("1/s", burst: 0) }
    }

    @Test func workerWithoutATokenTakesNoJobAndLearnsTheExactWait() throws {
        let queue = try TestRedis.queue()
        try queue.setRateLimit(RateLimit(count: 2, period: .seconds(1), burst: 1))
        for n in 0..<3 { try queue.enqueue(payload: String(n)) }
        let consumer = try Consumer(queue: queue)
        guard case .job = try consumer.reserve(waitingUpTo: .zero) else { Issue.record("first job not given"); return }
        guard case .throttled(let wait) = try consumer.reserve(waitingUpTo: .zero) else { Issue.record("not throttled"); return }
        #expect(wait > .milliseconds(300) && wait <= .milliseconds(500), "wait \(wait)")
        #expect(try queue.counts().waiting == 2, "a throttled worker holds no job")
        let start = ContinuousClock.now
        guard case .job = try consumer.reserve(waitingUpTo: .seconds(2)) else { Issue.record("no job after the wait"); return }
        let waited = ContinuousClock.now - start
        #expect(waited >= .milliseconds(300) && waited < .milliseconds(900), "waited \(waited)")
    }

    @Test func pausedQueueConsumesNoTokens() throws {
        let queue = try TestRedis.queue()
        try queue.setRateLimit(RateLimit(count: 1, period: .seconds(60), burst: 1))
        try queue.enqueue(payload: "1")
        try queue.pause()
        let consumer = try Consumer(queue: queue)
        for _ in 0..<3 { #expect(try consumer.reserve(waitingUpTo: .zero) == .paused) }
        #expect(try queue.limitStatus().level == 1)
        try queue.resume()
        guard case .job = try consumer.reserve(waitingUpTo: .zero) else { Issue.record("token was spent while paused"); return }
    }

    @Test func limitsAreStoredInRedisAndTakeEffectWithoutRestart() throws {
        let queue = try TestRedis.queue()
        for n in 0..<5 { try queue.enqueue(payload: String(n)) }
        let consumer = try Consumer(queue: queue)
        guard case .job = try consumer.reserve(waitingUpTo: .zero) else { Issue.record("no job"); return }
        try queue.setRateLimit(RateLimit(count: 1, period: .seconds(60), burst: 1))
        guard case .job = try consumer.reserve(waitingUpTo: .zero) else { Issue.record("burst token missing"); return }
        guard case .throttled = try consumer.reserve(waitingUpTo: .zero) else { Issue.record("new limit ignored"); return }
        let status = try queue.limitStatus()
        #expect(status.rate == RateLimit(count: 1, period: .seconds(60), burst: 1))
        #expect((status.level ?? 1) < 1)
        try queue.setRateLimit(nil)
        #expect(try queue.limitStatus().rate == nil)
        guard case .job = try consumer.reserve(waitingUpTo: .zero) else { Issue.record("limit not removed"); return }
    }

    @Test func jobsOfABusyLimiterWaitWithoutHoldingUpOtherJobs() throws {
        let queue = try TestRedis.queue()
        try queue.setRateLimit(RateLimit(count: 1, period: .seconds(60), burst: 1), limiter: "upstream-a")
        let a1 = try queue.enqueue(payload: "1", options: EnqueueOptions(limiter: "upstream-a")).id
        let a2 = try queue.enqueue(payload: "2", options: EnqueueOptions(limiter: "upstream-a")).id
        let free = try queue.enqueue(payload: "3").id
        let consumer = try Consumer(queue: queue)
        guard case .job(let first) = try consumer.reserve(waitingUpTo: .zero) else { Issue.record("no job"); return }
        #expect(first.id == a1)
        guard case .job(let second) = try consumer.reserve(waitingUpTo: .zero) else { Issue.record("other job held up"); return }
        #expect(second.id == free)
        let delayed = try #require(try queue.job(id: a2))
        #expect(delayed.state == .delayed)
        #expect(delayed.attempts == 0, "waiting for a token costs no attempt")
        #expect(try queue.limitStatus(limiter: "upstream-a").rate?.count == 1)
    }

    @Test func threeWorkerProcessesSharingOneBucketStartNoMoreThanRateTimesTimePlusBurst() throws {
        let url = try TestRedis.url()
        let queue = try TestRedis.queue()
        try queue.setRateLimit(RateLimit(count: 20, period: .seconds(1), burst: 5))
        _ = try queue.enqueue(batch: (0..<600).map { NewJob(payload: #"{"n":\#($0)}"#) })
        let log = ExampleWorker.temporaryLog()
        defer { try? FileManager.default.removeItem(at: log) }
        let workers = try (0..<3).map { _ in try ExampleWorker.start(queue: queue.name, redisURL: url, log: log, arguments: ["--idle-exit", "30"]) }
        defer { for worker in workers where worker.isRunning { kill(worker.processIdentifier, SIGKILL) } }
        // Measure a 10 s window that starts with the first job.
        try #require(eventually(timeout: .seconds(10)) { !ExampleWorker.runs(in: log).isEmpty })
        let first = ExampleWorker.runs(in: log).map(\.start).min()!
        usleep(10_600_000)
        for worker in workers { kill(worker.processIdentifier, SIGKILL) }
        let starts = ExampleWorker.runs(in: log).map(\.start).filter { $0 < first + 10_000 }.sorted()
        #expect(starts.count <= 20 * 10 + 5, "started \(starts.count)")
        #expect(starts.count >= Int(0.95 * Double(20 * 10 + 5)), "started only \(starts.count)")
        // No fixed-window boundary burst: any one-second window holds at most rate + burst starts.
        var busiest = 0
        var low = 0
        for (high, time) in starts.enumerated() {
            while time - starts[low] >= 1000 { low += 1 }
            busiest = max(busiest, high - low + 1)
        }
        #expect(busiest <= 25, "busiest second had \(busiest) starts")
        #expect(Set(ExampleWorker.runs(in: log).map(\.id)).count == ExampleWorker.runs(in: log).count, "no job ran twice")
    }
}
