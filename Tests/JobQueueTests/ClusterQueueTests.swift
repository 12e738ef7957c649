import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Synchronization
import Testing

/// Queues on a real three-master Redis Cluster, reached through one master's address: each queue
/// lives on the node that owns its hash tag, and everything works as on one server.
@Suite("Queues on a Redis Cluster", .serialized) struct ClusterQueueTests {
    private static let shared = Result { try RedisCluster() }

    private func connection(_ cluster: RedisCluster) throws -> RedisConnection {
        try RedisConnection(configuration: RedisConfiguration(url: cluster.url))
    }

    @Test func queuesOnEveryMasterEnqueueDrainAndReport() throws {
        let cluster = try Self.shared.get()
        let connection = try connection(cluster)
        let queues = try cluster.queueNamesOnEachNode().map { Queue(name: $0, connection: connection) }
        for queue in queues {
            let results = try queue.enqueue(batch: (0..<40).map { NewJob(payload: #"{"n":\#($0)}"#) })
            #expect(results.count == 40)
        }
        for queue in queues {
            let consumer = try Consumer(queue: queue)
            var done = 0
            while case .job(let job) = try consumer.reserve(waitingUpTo: .milliseconds(100)) {
                #expect(try consumer.ack(job))
                done += 1
            }
            #expect(done == 40)
            let stats = try queue.stats()
            #expect(stats.counters.total.processed == 40 && stats.counters.total.enqueued == 40)
            #expect(stats.jobs.waiting == 0 && stats.jobs.active == 0)
        }
        let known = Set(try Queue.knownNames(on: connection))
        #expect(known.isSuperset(of: queues.map(\.name)))
        #expect(Set(try Queue.registeredNames(on: connection)).isSuperset(of: queues.map(\.name)))
        let read = try QueueStats.read(queues.map(\.name), on: connection)
        #expect(read.map { $0.counters.total.processed } == [40, 40, 40])
    }

    @Test func compactWaitingJobsAreShownCancelledAndRunOnEveryMaster() throws {
        let cluster = try Self.shared.get()
        let connection = try connection(cluster)
        for name in try cluster.queueNamesOnEachNode() {
            let queue = Queue(name: name, connection: connection)
            let ids = try queue.enqueue(batch: (0..<150).map { NewJob(payload: #"{"n":\#($0)}"#) }).map(\.id)
            let buckets = Set(ids.compactMap { queue.keys.compactRecord(of: $0)?.bucket })
            #expect(buckets.count == 2)
            for bucket in buckets { #expect(try cluster.slot(of: bucket) == cluster.slot(of: queue.keys.wait)) }
            #expect(try queue.job(id: ids[0])?.state == .waiting)
            #expect(try queue.cancel(id: ids[0]) == .waiting)
            let consumer = try Consumer(queue: queue)
            var ran: [String] = []
            while case .job(let job) = try consumer.reserve(waitingUpTo: .milliseconds(100)) {
                ran.append(job.id)
                #expect(try consumer.ack(job))
            }
            #expect(ran == Array(ids.dropFirst()))
            let stats = try queue.stats()
            #expect(stats.counters.total.processed == 149 && stats.counters.total.cancelled == 1 && stats.counters.total.lost == 0)
        }
    }

    @Test func rateLimitsConcurrencyLimitsAndLocksHoldOnEveryMaster() throws {
        let cluster = try Self.shared.get()
        let connection = try connection(cluster)
        for name in try cluster.queueNamesOnEachNode() {
            let queue = Queue(name: name, connection: connection)
            try queue.setRateLimit(RateLimit(count: 1, period: .seconds(60), burst: 1))
            try queue.setConcurrency(5)
            for n in 0..<2 { try queue.enqueue(payload: String(n)) }
            let consumer = try Consumer(queue: queue)
            guard case .job(let first) = try consumer.reserve(waitingUpTo: .zero) else { Issue.record("no first job on \(name)"); continue }
            guard case .throttled = try consumer.reserve(waitingUpTo: .zero) else { Issue.record("not throttled on \(name)"); continue }
            #expect(try queue.limitStatus().rate == RateLimit(count: 1, period: .seconds(60), burst: 1))
            try queue.setRateLimit(nil)
            try queue.setConcurrency(1)
            guard case .saturated = try consumer.reserve(waitingUpTo: .zero) else { Issue.record("not saturated on \(name)"); continue }
            #expect(try consumer.ack(first))
            guard case .job(let second) = try consumer.reserve(waitingUpTo: .zero) else { Issue.record("no second job on \(name)"); continue }
            #expect(try consumer.ack(second))

            let lock = DistributedLock(queue: queue, name: "deploy", holder: "a")
            let rival = DistributedLock(queue: queue, name: "deploy", holder: "b")
            let lease = try #require(try lock.tryAcquire())
            #expect(try rival.tryAcquire() == nil)
            #expect(try queue.locks().map(\.name) == ["deploy"])
            #expect(try lock.release(lease))
            #expect(try rival.tryAcquire() != nil)
        }
    }

    @Test func historyIsKeptTrimmedAndListedOnEveryMaster() throws {
        let cluster = try Self.shared.get()
        let connection = try connection(cluster)
        for name in try cluster.queueNamesOnEachNode() {
            let queue = Queue(name: name, connection: connection)
            try queue.keepCompleted(RetentionLimit.parse("1h/3"))
            let ids = try queue.enqueue(batch: (0..<5).map { NewJob(payload: String($0)) }).map(\.id)
            let consumer = try Consumer(queue: queue)
            for n in 0..<5 {
                guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job on \(name)"); break }
                #expect(try consumer.ack(job, result: "r\(n)"))
                usleep(2000)  // finish times a millisecond apart: the history's order is theirs
            }
            let doomed = try queue.enqueue(payload: "9", options: EnqueueOptions(maxAttempts: 1)).id
            guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job on \(name)"); continue }
            _ = try consumer.fail(job, error: "boom")
            #expect(try queue.history().map(\.id) == [doomed] + ids.suffix(3).reversed(), "on \(name)")
            #expect(try queue.job(id: ids[4])?.result == "r4")
            #expect(try queue.job(id: ids[0]) == nil)
            #expect(try queue.keepCompleted(nil) == 3)
            #expect(try queue.history().map(\.id) == [doomed])
        }
    }

    @Test func prioritiesHoldOnEveryMaster() throws {
        let cluster = try Self.shared.get()
        let connection = try connection(cluster)
        for name in try cluster.queueNamesOnEachNode() {
            let queue = Queue(name: name, connection: connection)
            for (id, priority) in [("l", JobPriority.low), ("n", .normal), ("h", .high)] {
                try queue.enqueue(payload: "1", options: EnqueueOptions(id: id, priority: priority))
            }
            let stats = try queue.stats()
            #expect(stats.jobs.waiting == 3 && stats.jobs.waitingHigh == 1 && stats.jobs.waitingLow == 1, "on \(name)")
            let consumer = try Consumer(queue: queue)
            var order: [String] = []
            while case .job(let job) = try consumer.reserve(waitingUpTo: .zero) {
                order.append(job.id)
                #expect(try consumer.ack(job))
            }
            #expect(order == ["h", "n", "l"], "on \(name)")
        }
    }

    @Test func aQueueOnlyAnotherClientPushedToIsFound() throws {
        let cluster = try Self.shared.get()
        let connection = try connection(cluster)
        let names = try cluster.queueNamesOnEachNode()
        for name in names {
            try connection.command(["LPUSH", RedisArgument(QueueKeys(queue: name).wait), #"{"id":"x1","type":"t","payload":{}}"#])
        }
        #expect(Set(try Queue.knownNames(on: connection)).isSuperset(of: names))
        #expect(Set(try Queue.registeredNames(on: connection)).isDisjoint(with: names), "pushing is not registering")
        #expect(try QueueStats.read(names, on: connection).allSatisfy { $0.jobs.waiting == 1 })
    }

    @Test func aQueueThatCannotBeReadDoesNotHideTheOthers() throws {
        let cluster = try Self.shared.get()
        let connection = try connection(cluster)
        let names = try cluster.queueNamesOnEachNode()
        let (broken, fine) = (Queue(name: names[0], connection: connection), Queue(name: names[1], connection: connection))
        try connection.command(["SET", RedisArgument(broken.keys.wait), "not a list"])
        #expect(throws: JobQueueError.self) { try broken.enqueue(payload: "1") }
        try fine.enqueue(payload: "1")
        #expect(try Queue.registeredNames(on: connection).contains(broken.name), "the failed enqueue registered its queue")
        let results = try QueueStats.readEach(try Queue.knownNames(on: connection), on: connection)
        #expect(results.contains { if case .success(let stats) = $0 { stats.queue == fine.name.rawValue } else { false } })
        #expect(results.contains { if case .failure(let error) = $0 { error.message.contains(broken.name.rawValue) } else { false } })
    }

    @Test func aQueueScriptWaitsWhileItsSlotIsSplitBetweenTwoMasters() throws {
        let cluster = try RedisCluster()
        let connection = try connection(cluster)
        let queue = Queue(name: try cluster.queueNamesOnEachNode()[0], connection: connection)
        try queue.enqueue(batch: (0..<5).map { NewJob(payload: String($0)) })
        let slot = try cluster.slot(of: queue.keys.base)
        let source = try cluster.owner(ofSlot: slot)
        let target = try #require(cluster.nodes.first { $0 !== source })
        try cluster.beginMigration(slot: slot, from: source, to: target)
        try cluster.migrateKeys([queue.keys.wait], from: source, to: target)
        // The waiting list is on the target, the job hashes and counters on the source: running the
        // script on either would see half a queue. Redis refuses it (TRYAGAIN) before it runs.
        let error = try #require(throws: JobQueueError.self) { try queue.enqueue(payload: #""during""#) }
        #expect(error.redisError?.code == .unavailable, "\(error)")
        #expect(try cluster.command(["CLUSTER", "COUNTKEYSINSLOT", RedisArgument(slot)], on: target).integer == 1, "nothing written on the target")
        try cluster.migrate(slot: slot, to: target)
        try queue.enqueue(payload: #""after""#)
        #expect(try queue.counts().waiting == 6)
        #expect(try queue.stats().counters.total.enqueued == 6)
    }

    @Test func aSlotMigrationWhileAWorkerDrainsLosesNoJob() throws {
        let cluster = try RedisCluster()
        let connection = try connection(cluster)
        let queue = Queue(name: try cluster.queueNamesOnEachNode()[1], connection: connection)
        let total = 400
        let ids = try queue.enqueue(batch: (0..<total).map { NewJob(payload: String($0)) }).map(\.id)
        let runs = Mutex([String: Int]())
        var configuration = Worker.Configuration()
        configuration.idleExit = .seconds(3)
        configuration.fetchWait = .milliseconds(200)
        configuration.reconnectBackoff = Backoff(base: .milliseconds(20), cap: .milliseconds(200))
        let worker = Worker(queue: Queue(name: queue.name, connection: try self.connection(cluster)), configuration: configuration) { context in
            runs.withLock { $0[context.job.id, default: 0] += 1 }
            Thread.sleep(forTimeInterval: 0.002)
            return .completed
        }
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = try? worker.run()
            finished.signal()
        }
        defer { worker.stop() }
        #expect(eventually(timeout: .seconds(10)) { runs.withLock { $0.count } >= 50 })
        let slot = try cluster.slot(of: queue.keys.base)
        let target = try #require(cluster.nodes.first { $0 !== (try? cluster.owner(ofSlot: slot)) })
        var doneDuringMigration = 0
        let moved = try cluster.migrate(slot: slot, to: target, keysPerStep: 5) {
            doneDuringMigration = runs.withLock { $0.count }
            Thread.sleep(forTimeInterval: 0.005)
        }
        #expect(moved > 10)
        #expect(finished.wait(timeout: .now() + 60) == .success, "the worker did not finish")
        let counted = runs.withLock { $0 }
        #expect(Set(counted.keys) == Set(ids), "lost: \(Set(ids).subtracting(counted.keys).count)")
        let stats = try queue.stats()
        #expect(stats.counters.total.processed == total)
        #expect(stats.jobs.waiting == 0 && stats.jobs.active == 0 && stats.jobs.dead == 0)
        #expect(try cluster.owner(ofSlot: slot) === target)
        let duplicates = counted.values.reduce(0) { $0 + $1 - 1 }
        #expect(duplicates == 0, "\(duplicates) jobs ran twice")
        #expect(doneDuringMigration < total, "the migration ended after the drain: it did not overlap")
    }

    @Test func aPrefetchingWorkerDrainsAQueueOnEveryMaster() throws {
        let cluster = try Self.shared.get()
        let connection = try connection(cluster)
        for name in try cluster.queueNamesOnEachNode() {
            let queue = Queue(name: name, connection: connection)
            let ids = try queue.enqueue(batch: (0..<50).map { NewJob(payload: #"{"n":\#($0)}"#) }).map(\.id)
            let runs = Mutex([String]())
            var configuration = Worker.Configuration()
            configuration.prefetch = 16
            configuration.maxJobs = 50
            let worker = Worker(queue: queue, configuration: configuration) { context in
                runs.withLock { $0.append(context.job.id) }
                return .completed
            }
            #expect(try worker.run() == .maxJobs)
            #expect(runs.withLock { $0 } == ids, "each job once, in order")
            let stats = try queue.stats()
            #expect(stats.counters.total.processed == 50)
            #expect(stats.jobs.waiting == 0 && stats.jobs.active == 0)
        }
    }
}
