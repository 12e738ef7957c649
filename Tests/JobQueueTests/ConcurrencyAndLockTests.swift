import Foundation
@testable import JobQueue
import JobqTestSupport
import RedisClient
import Synchronization
import Testing

@Suite("Concurrency limits and locks") struct ConcurrencyAndLockTests {
    /// The largest number of runs that overlapped in time.
    private func maximumOverlap(_ runs: [ExampleWorker.Run]) -> Int {
        var events: [(time: Int64, delta: Int)] = []
        for run in runs {
            events.append((run.start, 1))
            events.append((run.end, -1))
        }
        events.sort { $0.time == $1.time ? $0.delta < $1.delta : $0.time < $1.time }
        var current = 0, best = 0
        for event in events {
            current += event.delta
            best = max(best, current)
        }
        return best
    }

    @Test func queueConcurrencyOneRunsOneJobAtATimeAcrossThreeWorkerProcesses() throws {
        let url = try TestRedis.url()
        let queue = try TestRedis.queue()
        try queue.setConcurrency(1)
        _ = try queue.enqueue(batch: (0..<30).map { NewJob(payload: #"{"n":\#($0)}"#) })
        let log = ExampleWorker.temporaryLog()
        defer { try? FileManager.default.removeItem(at: log) }
        let workers = try (0..<3).map { _ in
            try ExampleWorker.start(queue: queue.name, redisURL: url, log: log, arguments: ["--job-ms", "40", "--idle-exit", "2"])
        }
        for worker in workers { worker.waitUntilExit() }
        let runs = ExampleWorker.runs(in: log)
        #expect(runs.count == 30)
        #expect(maximumOverlap(runs) == 1)
        let fencing = runs.sorted { $0.start < $1.start }.map(\.fencingToken)
        #expect(fencing == fencing.sorted() && Set(fencing).count == fencing.count && fencing.allSatisfy { $0 > 0 },
                "fencing tokens only grow")
        #expect(try queue.limitStatus().concurrency == 1)
    }

    @Test func queueConcurrencyTwoAllowsTwoAtOnceButNeverThree() throws {
        let url = try TestRedis.url()
        let queue = try TestRedis.queue()
        try queue.setConcurrency(2)
        _ = try queue.enqueue(batch: (0..<24).map { NewJob(payload: #"{"n":\#($0)}"#) })
        let log = ExampleWorker.temporaryLog()
        defer { try? FileManager.default.removeItem(at: log) }
        let workers = try (0..<3).map { _ in
            try ExampleWorker.start(queue: queue.name, redisURL: url, log: log, arguments: ["--job-ms", "60", "--idle-exit", "2"])
        }
        for worker in workers { worker.waitUntilExit() }
        let runs = ExampleWorker.runs(in: log)
        #expect(runs.count == 24)
        #expect(maximumOverlap(runs) == 2)
    }

    @Test func jobsWithTheSameConcurrencyKeyNeverOverlapAndOthersAreNotHeldUp() throws {
        let queue = try TestRedis.queue()
        let first = try queue.enqueue(payload: "1", options: EnqueueOptions(concurrencyKey: "doc-42")).id
        let second = try queue.enqueue(payload: "2", options: EnqueueOptions(concurrencyKey: "doc-42")).id
        let other = try queue.enqueue(payload: "3").id
        let a = try Consumer(queue: queue), b = try Consumer(queue: queue)
        guard case .job(let running) = try a.reserve(waitingUpTo: .zero) else { Issue.record("no job"); return }
        #expect(running.id == first)
        let firstFencing = try #require(running.fencingToken)
        guard case .job(let unrelated) = try b.reserve(waitingUpTo: .zero) else { Issue.record("held up"); return }
        #expect(unrelated.id == other, "the second keyed job is parked, the unrelated one runs")
        #expect(try b.reserve(waitingUpTo: .zero) == .empty(nextDelayedIn: nil))
        #expect(try queue.locks().map(\.name) == ["key:doc-42"])
        try a.ack(running)
        guard case .job(let next) = try b.reserve(waitingUpTo: .seconds(1)) else { Issue.record("parked job not released"); return }
        #expect(next.id == second)
        #expect(try #require(next.fencingToken) > firstFencing)
    }

    @Test func concurrencyKeyHeldByAKilledWorkerIsFreedWhenItsLeaseRunsOut() throws {
        let url = try TestRedis.url()
        var configuration = Queue.Configuration()
        configuration.lease = .seconds(1)
        configuration.reapInterval = .milliseconds(100)
        let queue = try TestRedis.queue(configuration: configuration)
        try queue.enqueue(payload: #"{"n":1}"#, options: EnqueueOptions(concurrencyKey: "k"))
        try queue.enqueue(payload: #"{"n":2}"#, options: EnqueueOptions(concurrencyKey: "k"))
        let log = ExampleWorker.temporaryLog()
        defer { try? FileManager.default.removeItem(at: log) }
        let doomed = try ExampleWorker.start(queue: queue.name, redisURL: url, log: log, arguments: ["--job-ms", "60000", "--lease-ms", "1000", "--consumer-ttl-ms", "400", "--poison-after", "0"])
        try #require(eventually { try queue.locks().contains { $0.name == "key:k" } })
        let held = try #require(try queue.locks().first { $0.name == "key:k" })
        kill(doomed.processIdentifier, SIGKILL)
        doomed.waitUntilExit()
        let survivor = try ExampleWorker.start(queue: queue.name, redisURL: url, log: log, arguments: ["--idle-exit", "3", "--lease-ms", "1000", "--consumer-ttl-ms", "400", "--poison-after", "0"])
        survivor.waitUntilExit()
        let runs = ExampleWorker.runs(in: log)
        #expect(Set(runs.map(\.n)) == [1, 2], "both jobs ran after the lock's TTL")
        #expect(runs.allSatisfy { $0.fencingToken > held.fencingToken })
        #expect(try queue.locks().isEmpty)
    }

    @Test func lockIsHeldByOneOwnerAndFencingTokensOnlyGrow() throws {
        let queue = try TestRedis.queue()
        let lock = DistributedLock(queue: queue, name: "supervisor", ttl: .milliseconds(300), holder: "test-a")
        let first = try #require(try lock.tryAcquire())
        let rival = DistributedLock(queue: queue, name: "supervisor", ttl: .milliseconds(300), holder: "test-b")
        #expect(try rival.tryAcquire() == nil)
        let info = try #require(try queue.locks().first)
        #expect(info.holder == "test-a" && info.fencingToken == first.fencingToken && info.ttlMilliseconds > 0)
        #expect(try lock.renew(first))
        #expect(try rival.release(first.withOwner("someone-else")) == false, "only the owner releases")
        #expect(try lock.release(first))
        let second = try #require(try rival.tryAcquire())
        #expect(second.fencingToken > first.fencingToken)
        #expect(try lock.renew(first) == false, "a released lease cannot be renewed")
    }

    @Test func holderIsToldWhenItsLockIsLost() throws {
        let queue = try TestRedis.queue()
        let lock = DistributedLock(queue: queue, name: "guard", ttl: .milliseconds(600))
        let lease = try #require(try lock.tryAcquire())
        let lost = Atomic<Bool>(false)
        let renewal = lock.keepRenewed(lease) { lost.store(true, ordering: .relaxed) }
        defer { renewal.stop() }
        usleep(900_000)
        #expect(lost.load(ordering: .relaxed) == false, "renewals keep it past its TTL")
        // Someone deletes the lock behind its back (as a TTL passing during a long pause would).
        try queue.connection.command(["DEL", RedisArgument(queue.keys.lock("guard"))])
        #expect(eventually(timeout: .seconds(2)) { lost.load(ordering: .relaxed) })
    }
}

extension DistributedLock.Lease {
    func withOwner(_ owner: String) -> DistributedLock.Lease {
        DistributedLock.Lease(name: name, owner: owner, fencingToken: fencingToken)
    }
}
