import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

@Suite("Wire format: jobs pushed by any client") struct WireFormatTests {
    private func push(_ queue: Queue, _ raw: [UInt8]) throws {
        try queue.connection.command(["LPUSH", RedisArgument(queue.keys.wait), RedisArgument(bytes: raw)])
    }

    @Test func minimalMessageFromAPlainLPUSHRunsWithDefaults() throws {
        let queue = try TestRedis.queue()
        try push(queue, Array(#"{"payload": {"path": "/srv/kb/a.md"}}"#.utf8))
        let consumer = try Consumer(queue: queue)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        #expect(job.id.hasPrefix("ext-"))
        #expect(job.type == "default")
        #expect(job.maxAttempts == Queue.Configuration().defaultMaxAttempts)
        #expect(job.attempt == 1)
        #expect(try job.payloadJSON() == #"{"path":"\/srv\/kb\/a.md"}"# || (try job.payloadJSON()) == #"{"path":"/srv/kb/a.md"}"#)
        #expect(try consumer.ack(job))
    }

    @Test func optionalFieldsOfAPushedMessageAreHonoured() throws {
        let queue = try TestRedis.queue()
        try push(queue, Array(#"{"id":"doc-1","type":"ingest.file","max_attempts":2,"enqueued_at":1700000000000,"payload":null}"#.utf8))
        let consumer = try Consumer(queue: queue)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        #expect(job.id == "doc-1")
        #expect(job.type == "ingest.file")
        #expect(job.maxAttempts == 2)
        #expect(job.enqueuedAt == 1_700_000_000_000)
        #expect(try job.payloadJSON() == "null")
    }

    @Test func redisCliCanEnqueueAJob() throws {
        let queue = try TestRedis.queue()
        let url = try RedisConfiguration(url: TestRedis.url())
        guard case .tcp(let host, let port) = url.endpoint else { return }
        let cli = Process()
        cli.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        cli.arguments = ["redis-cli", "-h", host, "-p", String(port), "-n", String(url.database), "LPUSH", queue.keys.wait, #"{"payload":{"n":1},"type":"noop"}"#]
        cli.standardOutput = FileHandle.nullDevice
        try cli.run()
        cli.waitUntilExit()
        try #require(cli.terminationStatus == 0, "redis-cli failed")
        let consumer = try Consumer(queue: queue)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        #expect(job.type == "noop")
    }

    @Test func malformedMessagesAreDeadLetteredWithTheirRawTextAndTheConsumerCarriesOn() throws {
        var configuration = Queue.Configuration()
        configuration.maxMessageBytes = 4096
        let queue = try TestRedis.queue(configuration: configuration)
        let hostile: [(raw: [UInt8], reason: String)] = [
            (Array("not json at all".utf8), "not valid JSON"),
            (Array("42".utf8), "not a JSON object"),
            (Array("[1,2,3]".utf8), "array"),
            (Array(#"{"id":"x"}"#.utf8), "no \"payload\""),
            (Array(#"{"payload":1,"max_attempts":"five"}"#.utf8), "max_attempts"),
            (Array(#"{"payload":1,"id":17}"#.utf8), "\"id\""),
            (Array(#"{"payload":1,"type":[]}"#.utf8), "\"type\""),
            (Array((#"{"payload":""# + String(repeating: "x", count: 5000) + #""}"#).utf8), "over the limit"),
            (Array(String(repeating: "[", count: 2000).utf8), "not valid JSON"),
        ]
        for entry in hostile { try push(queue, entry.raw) }
        try queue.enqueue(payload: #"{"ok":true}"#)
        let consumer = try Consumer(queue: queue)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("valid job not reached"); return }
        #expect(try job.payloadJSON() == #"{"ok":true}"#)
        let dead = try queue.deadLetters(limit: 100)
        #expect(dead.count == hostile.count)
        for entry in hostile {
            let record = dead.first { $0.body.utf8.elementsEqual(entry.raw.prefix(65_536)) }
            #expect(record != nil, "raw text kept for \(entry.reason)")
            #expect(record?.deadReason?.hasPrefix("malformed") == true)
            #expect(record?.deadReason?.contains(entry.reason) == true, "reason for \(entry.reason): \(record?.deadReason ?? "-")")
        }
    }

    @Test func referenceToAJobThatDoesNotExistIsCountedLostNotDeadLettered() throws {
        let queue = try TestRedis.queue()
        try push(queue, Array("@no-such-job".utf8))
        let consumer = try Consumer(queue: queue)
        #expect(try consumer.reserve(waitingUpTo: .zero) == .empty(nextDelayedIn: nil))
        #expect(try queue.deadLetters().isEmpty)
        let stats = try queue.stats()
        #expect(stats.counters.total.lost == 1)
        #expect(stats.counters.total.malformed == 0)
        #expect(stats.lastLost == LostJob(id: "no-such-job", at: stats.lastLost?.at ?? 0, state: "waiting"))
        #expect(stats.jobs.waiting == 0)
    }

    @Test func messageWithInvalidUTF8IsDeadLetteredAsMalformedByTheWorker() throws {
        let queue = try TestRedis.queue()
        try push(queue, Array(#"{"payload":""#.utf8) + [0xff, 0xfe] + Array(#""}"#.utf8))
        try queue.enqueue(payload: "2")
        let worker = Worker(queue: queue, configuration: { var c = Worker.Configuration(); c.maxJobs = 2; return c }()) { context in
            _ = try context.job.payloadJSON()
            return .completed
        }
        #expect(try worker.run() == .maxJobs)
        let dead = try queue.deadLetters()
        #expect(dead.count == 1)
        #expect(dead.first?.deadReason?.contains("malformed") == true)
        #expect(try queue.counts().waiting == 0)
        #expect(try queue.connection.command(["HGET", RedisArgument(queue.keys.stats), "malformed"]).integer == 1, "counted as malformed")
    }
}
