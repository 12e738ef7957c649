import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Synchronization
import Testing

@Suite("Queue lifecycle") struct QueueLifecycleTests {
    @Test func enqueuedJobIsReservedAckedAndDeleted() throws {
        let queue = try TestRedis.queue()
        let id = try queue.enqueue(payload: #"{"file":"a.md"}"#, options: EnqueueOptions(type: "ingest.file")).id
        let consumer = try Consumer(queue: queue)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else {
            Issue.record("no job reserved")
            return
        }
        #expect(job.id == id)
        #expect(job.type == "ingest.file")
        #expect(job.attempt == 1)
        #expect(try job.payloadJSON() == #"{"file":"a.md"}"#)
        #expect(try queue.job(id: id)?.state == .active)
        #expect(try consumer.ack(job))
        #expect(try queue.job(id: id) == nil)
        #expect(try consumer.ack(job) == false, "a second ack is a no-op")
        let counts = try queue.counts()
        #expect(counts.waiting == 0 && counts.active == 0 && counts.delayed == 0)
    }

    @Test func jobsComeOutInTheOrderTheyWentIn() throws {
        let queue = try TestRedis.queue()
        let ids = try (0..<20).map { try queue.enqueue(payload: String($0)).id }
        let consumer = try Consumer(queue: queue)
        var seen: [String] = []
        while case .job(let job) = try consumer.reserve(waitingUpTo: .milliseconds(50)) {
            seen.append(job.id)
            try consumer.ack(job)
        }
        #expect(seen == ids)
    }

    @Test func ackOfOneJobReservesTheNextInTheSameScript() throws {
        let queue = try TestRedis.queue()
        let first = try queue.enqueue(payload: "1").id
        let second = try queue.enqueue(payload: "2").id
        let consumer = try Consumer(queue: queue)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        #expect(job.id == first)
        let (acked, _, next) = try consumer.complete(job, reserveNext: true)
        #expect(acked)
        guard case .job(let nextJob)? = next else { Issue.record("no next job: \(String(describing: next))"); return }
        #expect(nextJob.id == second)
        let (_, _, after) = try consumer.complete(nextJob, reserveNext: true)
        #expect(after == .empty(nextDelayedIn: nil))
    }

    @Test func aConsumerWaitingInRedisLeasesAJobEnqueuedDuringTheWait() throws {
        let queue = try TestRedis.queue()
        let consumer = try Consumer(queue: queue)
        #expect(try consumer.reserve(waitingUpTo: .zero) == .empty(nextDelayedIn: nil))
        let enqueued = Mutex<String?>(nil)
        let late = Thread {
            usleep(200_000)
            enqueued.withLock { $0 = try? queue.enqueue(payload: "1").id }
        }
        late.start()
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(5), after: .empty(nextDelayedIn: nil)) else {
            Issue.record("no job reserved")
            return
        }
        #expect(job.id == enqueued.withLock { $0 })
        #expect(try queue.job(id: job.id)?.state == .active, "leased in the round trip that ended the wait")
        #expect(try consumer.ack(job))
    }

    @Test func aConsumerToldTheQueueWasEmptyStillTakesAJobThatArrivedSince() throws {
        let queue = try TestRedis.queue()
        let consumer = try Consumer(queue: queue)
        let id = try queue.enqueue(payload: "1").id
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1), after: .empty(nextDelayedIn: nil)) else {
            Issue.record("no job reserved")
            return
        }
        #expect(job.id == id)
        #expect(try consumer.reserve(waitingUpTo: .milliseconds(50), after: .empty(nextDelayedIn: nil)) == .empty(nextDelayedIn: nil))
    }

    @Test func aWaitRedisRefusesIsReportedNotRetriedInALoop() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let admin = try RedisConnection(configuration: RedisConfiguration(url: server.url))
        try admin.command([
            "ACL", "SETUSER", "jobs", "on", ">pw", "~jobq:*", "-@all", "+@scripting", "+@read", "+@write", "+@blocking", "+@connection", "+time",
            "-blmove", "-brpoplpush",
        ])
        let url = "redis://jobs:pw@127.0.0.1:\(server.port)/0"
        let queue = Queue(name: try uniqueQueueName(), connection: try RedisConnection(configuration: RedisConfiguration(url: url)))
        let consumer = try Consumer(queue: queue)
        try admin.command(["CONFIG", "RESETSTAT"])
        let error = try #require(throws: JobQueueError.self) { try consumer.reserve(waitingUpTo: .seconds(2)) }
        #expect(error.message.contains("NOPERM"), "\(error)")
        let stats = try admin.command(["INFO", "commandstats"]).string ?? ""
        let fcalls = stats.split(separator: "\r\n").first { $0.hasPrefix("cmdstat_fcall:") }
        #expect(fcalls?.hasPrefix("cmdstat_fcall:calls=2,") == true, "one reserve before the wait, one behind it: \(fcalls ?? "none")")
    }

    @Test func batchEnqueueAddsEveryJobInOrder() throws {
        let queue = try TestRedis.queue()
        let results = try queue.enqueue(batch: (0..<100).map { NewJob(payload: #"{"n":\#($0)}"#) })
        #expect(results.count == 100)
        #expect(try queue.counts().waiting == 100)
        let consumer = try Consumer(queue: queue)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        #expect(job.id == results[0].id)
        #expect(try job.payloadJSON() == #"{"n":0}"#)
    }

    @Test func invalidPayloadAndOptionsAreRefusedBeforeAnythingIsWritten() throws {
        let queue = try TestRedis.queue()
        #expect(throws: JobQueueError.self) { try queue.enqueue(payload: "{not json") }
        #expect(throws: JobQueueError.self) { try queue.enqueue(payload: "1", options: EnqueueOptions(maxAttempts: 0)) }
        #expect(throws: JobQueueError.self) { try queue.enqueue(payload: "1", options: EnqueueOptions(id: "")) }
        #expect(throws: JobQueueError.self) { try queue.enqueue(batch: [NewJob(payload: "1"), NewJob(payload: "nope")]) }
        #expect(try queue.counts().waiting == 0)
        let error = try #require(throws: JobQueueError.self) { try queue.enqueue(payload: "{\"a\":") }
        #expect(error.code == .invalidJob)
        #expect(error.message.contains("not valid JSON"))
    }

    @Test func oversizedJobIsRefused() throws {
        var configuration = Queue.Configuration()
        configuration.maxMessageBytes = 1000
        let queue = try TestRedis.queue(configuration: configuration)
        let big = "\"" + String(repeating: "x", count: 2000) + "\""
        let error = try #require(throws: JobQueueError.self) { try queue.enqueue(payload: big) }
        #expect(error.message.contains("over the limit"))
    }

    @Test func aJobExactlyAtTheSizeLimitIsTakenAndOneByteMoreIsNot() throws {
        // With an explicit id, the message is {"id":"<id>","type":"default","max_attempts":<n>,"payload":<payload>}.
        var configuration = Queue.Configuration()
        configuration.maxMessageBytes = 1000
        let queue = try TestRedis.queue(configuration: configuration)
        let frame = #"{"id":"fits","type":"default","max_attempts":\#(configuration.defaultMaxAttempts),"payload":}"#.utf8.count
        let payload = { (count: Int) in "\"" + String(repeating: "x", count: count - 2) + "\"" }
        try queue.enqueue(payload: payload(1000 - frame), options: EnqueueOptions(id: "fits"))
        let error = try #require(throws: JobQueueError.self) {
            try queue.enqueue(payload: payload(1001 - frame), options: EnqueueOptions(id: "over"))
        }
        #expect(error.message.contains("1001 bytes"))
    }

    @Test func duplicateIdIsRefused() throws {
        let queue = try TestRedis.queue()
        try queue.enqueue(payload: "1", options: EnqueueOptions(id: "same"))
        let error = try #require(throws: JobQueueError.self) { try queue.enqueue(payload: "2", options: EnqueueOptions(id: "same")) }
        #expect(error.code == .jobExists)
    }

    @Test func invalidQueueNamesAreRefusedWithTheReason() throws {
        for bad in ["", "has space", "brace{", "colon:x", String(repeating: "q", count: 101), "tab\t"] {
            let error = try #require(throws: JobQueueError.self) { try QueueName(bad) }
            #expect(error.code == .invalidQueueName)
        }
        #expect(try QueueName("ingest.v2_main-1").rawValue == "ingest.v2_main-1")
    }

    @Test func everyKeyOfAQueueSharesItsHashTag() throws {
        let keys = QueueKeys(queue: try QueueName("ingest"))
        for key in [keys.wait, keys.delayed, keys.active, keys.dead, keys.config, keys.stats, keys.consumers, keys.job("x"), keys.claim("c"), keys.worker("w")] {
            #expect(key.hasPrefix("jobq:{ingest}:"))
        }
    }
}
