import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

/// A real worker process draining through `redis+sentinel://` while the master fails over: it
/// follows the sentinels to the new master, does not die, and no job is lost. Duplicates (acks the
/// old master took but never replicated) are counted and reported.
@Suite("Failover behind Sentinel with a real worker", .serialized) struct FailoverTests {
    /// What one drain through a failover came to.
    private struct Audit {
        var jobs: Int
        var lost: Int
        var duplicates: Int
        var followedAfter: Duration?
        var workerStatus: Int32
    }

    /// Enqueues `count` jobs (durably: every one on the replica too), starts a worker, runs
    /// `disrupt` once a third of them ran, and audits the runs once the worker went idle.
    private func drainThrough(
        _ what: String, count: Int = 1200, nodeArguments: [String] = [], label: String = #function, _ disrupt: (RedisSentinelGroup) throws -> Void
    ) throws -> Audit {
        let group = try RedisSentinelGroup(nodeArguments: nodeArguments, label: label)
        defer { group.stop() }
        let queue = Queue(name: try uniqueQueueName(label), connection: try RedisConnection(configuration: RedisConfiguration(url: group.url)))
        let ids = Set(try queue.enqueue(batch: (0..<count).map { NewJob(payload: #"{"n":\#($0)}"#, options: EnqueueOptions(durable: true)) }).map(\.id))
        let log = ExampleWorker.temporaryLog()
        defer { try? FileManager.default.removeItem(at: log) }
        let worker = try ExampleWorker.start(
            queue: queue.name, redisURL: group.url, log: log,
            arguments: ["--job-ms", "2", "--idle-exit", "5", "--lease-ms", "2000", "--consumer-ttl-ms", "2000", "--poison-after", "0"])
        try #require(eventually(timeout: .seconds(20)) { ExampleWorker.runs(in: log).count >= count / 3 })
        let oldPort = try group.masterPort()
        let disruptedAt = ContinuousClock.now
        try disrupt(group)
        // The worker has followed when it takes jobs from the new master's waiting list, which
        // stood still from the promotion on.
        let newMaster = try group.connection(to: group.nodes.first { $0.port == (try? group.waitForNewMaster(replacing: oldPort)) }!)
        let waitingAtPromotion = try newMaster.command(["LLEN", RedisArgument(queue.keys.wait)]).integer ?? 0
        var followedAfter: Duration?
        if eventually(timeout: .seconds(30), { (try? newMaster.command(["LLEN", RedisArgument(queue.keys.wait)]).integer) ?? 0 < waitingAtPromotion }) {
            followedAfter = ContinuousClock.now - disruptedAt
        }
        worker.waitUntilExit()
        let counts = ExampleWorker.runs(in: log).reduce(into: [String: Int]()) { $0[$1.id, default: 0] += 1 }
        let audit = Audit(
            jobs: ids.count, lost: ids.subtracting(counts.keys).count,
            duplicates: counts.values.reduce(0) { $0 + max(0, $1 - 1) },
            followedAfter: followedAfter, workerStatus: worker.terminationStatus)
        print("failover (\(what)): \(audit.jobs) jobs, \(audit.lost) lost, \(audit.duplicates) duplicate runs, the worker took jobs from the new master \(audit.followedAfter.map { "\($0)" } ?? "never") after the disruption began")
        let left = try queue.counts()
        #expect(left.waiting == 0 && left.active == 0 && left.delayed == 0 && left.dead == 0, "left behind: \(left)")
        return audit
    }

    @Test func workerFollowsASentinelFailoverAndLosesNoJob() throws {
        let audit = try drainThrough("SENTINEL FAILOVER") { group in _ = try group.failover() }
        #expect(audit.workerStatus == 0, "the worker died instead of following the failover")
        #expect(audit.lost == 0)
        #expect(audit.followedAfter != nil)
    }

    @Test func workerFollowsTheSentinelsWhenTheMasterIsKilled() throws {
        let audit = try drainThrough("master SIGKILLed") { group in try group.master().signal(SIGKILL) }
        #expect(audit.workerStatus == 0, "the worker died instead of following the failover")
        #expect(audit.lost == 0)
        #expect(audit.followedAfter != nil)
    }

    @Test func durableEnqueuesSurviveAFailoverThatLosesPlainOnes() throws {
        let group = try RedisSentinelGroup()
        defer { group.stop() }
        var configuration = Queue.Configuration()
        configuration.durableTimeout = .milliseconds(500)
        let name = try uniqueQueueName()
        let durable = Queue(name: name, connection: try RedisConnection(configuration: RedisConfiguration(url: group.url)), configuration: configuration)
        let plain = Queue(name: name, connection: try RedisConnection(configuration: RedisConfiguration(url: group.url)))
        let failover = Thread { _ = try? group.failover() }
        var confirmed: [String] = [], refused = 0, plainAcknowledged: [String] = []
        let end = ContinuousClock.now + .seconds(5)
        var round = 0
        while ContinuousClock.now < end {
            if round == 20 { failover.start() }
            round += 1
            do {
                confirmed.append(try durable.enqueue(payload: "{}", options: EnqueueOptions(durable: true)).id)
            } catch let error as JobQueueError where error.code == .notReplicated || error.redisError?.isRetryable == true {
                refused += 1
            }
            if let id = try? plain.enqueue(payload: "{}").id { plainAcknowledged.append(id) }
            usleep(2_000)
        }
        let newMaster = try group.connection(to: group.master())
        func present(_ id: String) throws -> Bool {
            try jobIsStored(id, QueueKeys(queue: name), newMaster.command)
        }
        let durableLost = try confirmed.filter { try !present($0) }.count
        let plainLost = try plainAcknowledged.filter { try !present($0) }.count
        print("failover during enqueues: durable \(confirmed.count) confirmed, \(durableLost) lost, \(refused) refused; plain \(plainAcknowledged.count) acknowledged, \(plainLost) lost")
        #expect(confirmed.count > 20)
        #expect(durableLost == 0, "a confirmed durable enqueue was lost in the failover")
    }
}
