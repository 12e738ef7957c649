import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

/// `jobq` through the sentinels, and `jobq enqueue --durable`, as a user runs them.
@Suite("jobq behind Sentinel and --durable", .serialized) struct SentinelCommandTests {
    @Test func enqueueThroughTheSentinelsIsDurableAndStatsFindsTheQueue() throws {
        let group = try RedisSentinelGroup()
        defer { group.stop() }
        let queue = try uniqueQueueName()
        let environment = ["JOBQ_REDIS_URL": group.url]
        let enqueued = try CommandRun.run("jobq", ["enqueue", queue.rawValue, "{}", "--durable"], environment: environment)
        #expect(enqueued.status == 0, "\(enqueued.standardError)")
        let id = try #require(enqueued.lines.first)
        let onReplica = try group.connection(to: group.nodes[1])
        #expect(try jobIsStored(id, QueueKeys(queue: queue), onReplica.command))
        let stats = try CommandRun.run("jobq", ["stats", queue.rawValue], environment: environment)
        #expect(stats.status == 0, "\(stats.standardError)")
    }

    @Test func durableEnqueueWithoutAReplicaExitsSix() throws {
        let queue = try uniqueQueueName()
        let run = try CommandRun.run(
            "jobq", ["enqueue", queue.rawValue, "{}", "--durable", "--durable-timeout", "200ms", "--id", "only-on-master"],
            environment: ["JOBQ_REDIS_URL": try TestRedis.url()])
        #expect(run.status == 6)
        #expect(run.standardOutput.isEmpty)
        #expect(run.standardError.contains("no replica confirmed") && run.standardError.contains("only-on-master"))
        let misuse = try CommandRun.run("jobq", ["enqueue", queue.rawValue, "{}", "--durable-timeout", "1s"], environment: ["JOBQ_REDIS_URL": try TestRedis.url()])
        #expect(misuse.status == 64)
        let tooLong = try CommandRun.run(
            "jobq", ["enqueue", queue.rawValue, "{}", "--durable", "--durable-timeout", "30s"], environment: ["JOBQ_REDIS_URL": try TestRedis.url()])
        #expect(tooLong.status == 64 && tooLong.standardError.contains("shorter than the Redis command timeout"), "\(tooLong.standardError)")
        // A --jsonl whose only batch is not confirmed: status 6 as for one job.
        let lines = try CommandRun.run(
            "jobq", ["enqueue", queue.rawValue, "--jsonl", "-", "--durable", "--durable-timeout", "200ms"],
            environment: ["JOBQ_REDIS_URL": try TestRedis.url()], input: "{\"a\":1}\n{\"a\":2}\n")
        #expect(lines.status == 6, "\(lines.standardError)")
    }

    @Test func unreachableSentinelsAreOneClearLine() throws {
        let run = try CommandRun.run("jobq", ["stats"], environment: ["JOBQ_REDIS_URL": "redis+sentinel://127.0.0.1:1,127.0.0.1:2/jobq-master"])
        #expect(run.status == 1)
        #expect(run.standardError.contains("no sentinel answered"), "\(run.standardError)")
        #expect(run.standardError.split(separator: "\n").count == 1)
    }
}
