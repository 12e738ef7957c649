import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

@Suite("Queue scripts on servers of every kind") struct QueueScriptServerTests {
    @Test func aRestrictedACLUserCanRunTheQueue() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let admin = try RedisConnection(configuration: RedisConfiguration(url: server.url))
        try admin.command(["ACL", "SETUSER", "jobs", "on", ">pw", "~jobq:*", "-@all", "+@scripting", "+@read", "+@write", "+@blocking", "+@connection", "+time"])
        let url = "redis://jobs:pw@127.0.0.1:\(server.port)/0"
        let queue = Queue(name: try uniqueQueueName(), connection: try RedisConnection(configuration: RedisConfiguration(url: url)))
        let id = try queue.enqueue(payload: "1").id
        let consumer = try Consumer(queue: queue)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        #expect(job.id == id)
        #expect(try consumer.ack(job))
        #expect(throws: RedisError.self, "INFO is not granted") { try queue.connection.command(["INFO"]) }
    }

    @Test func queueScriptsRunAsFunctionsAndAreLoadedAgainAfterAFlush() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let queue = Queue(name: try uniqueQueueName(), connection: try RedisConnection(configuration: RedisConfiguration(url: server.url)))
        try queue.enqueue(payload: "1")
        let libraries = try queue.connection.command(["FUNCTION", "LIST"]).array?.count ?? 0
        #expect(libraries >= 1, "the enqueue script was loaded as a function library")
        try queue.connection.command(["FUNCTION", "FLUSH"])
        try queue.enqueue(payload: "2")
        #expect(try queue.counts().waiting == 2)
    }

    @Test func serversWithoutFunctionsRunTheSameScriptsWithEVALSHA() throws {
        // A server where FCALL does not exist answers like Redis before 7.0.
        let server = try RedisServer(arguments: ["--rename-command", "FCALL", ""])
        defer { server.stop() }
        let queue = Queue(name: try uniqueQueueName(), connection: try RedisConnection(configuration: RedisConfiguration(url: server.url)))
        let id = try queue.enqueue(payload: #"{"n":1}"#).id
        let consumer = try Consumer(queue: queue)
        guard case .job(let job) = try consumer.reserve(waitingUpTo: .seconds(1)) else { Issue.record("no job"); return }
        #expect(job.id == id)
        #expect(try consumer.ack(job))
        #expect(try queue.connection.command(["FUNCTION", "LIST"]).array?.isEmpty == true, "no function was needed")
    }
}
