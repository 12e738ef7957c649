import Foundation
import JobQueue
import JobqTestSupport
import RedisClient

/// Three real queues in the test Redis, as the dashboard tests look at them: one working well, one
/// with dead letters and a crashed worker, one paused.
struct DashboardFixture {
    let healthy: Queue
    let failing: Queue
    let paused: Queue
    /// The dead letters of `failing`, newest first.
    let deadIDs: [String]

    /// Makes the queues on the Redis at `url` (the shared test Redis by default).
    init(_ label: String = #function, redis url: String? = nil) throws {
        let connection = try RedisConnection(configuration: RedisConfiguration(url: url ?? TestRedis.url()))
        healthy = try Queue(name: uniqueQueueName("\(label)-ok"), connection: connection)
        failing = try Queue(name: uniqueQueueName("\(label)-dead"), connection: connection)
        paused = try Queue(name: uniqueQueueName("\(label)-paused"), connection: connection)

        for index in 0..<6 { try healthy.enqueue(payload: #"{"n":\#(index)}"#) }
        let worker = try Consumer(queue: healthy)
        for _ in 0..<5 {
            guard case .job(let job) = try worker.reserve(waitingUpTo: .seconds(2)) else { throw TestFailure("no job to process") }
            _ = try worker.ack(job)
        }

        var dead: [String] = []
        let failer = try Consumer(queue: failing)
        for (index, reason) in ["unknown type", "invalid payload"].enumerated() {
            try failing.enqueue(payload: #"{"doc":"report-\#(index).pdf"}"#)
            guard case .job(let job) = try failer.reserve(waitingUpTo: .seconds(2)) else { throw TestFailure("no job to fail") }
            _ = try failer.fail(job, error: "ValueError: cannot parse report-\(index).pdf", permanently: true, reason: reason)
            dead.insert(job.id, at: 0)
        }
        deadIDs = dead
        _ = try failing.recordWorkerExit(WorkerExitRecord(
            workerID: "w-crashed", host: "web-test", pid: 4242, exitStatus: 1, signal: nil, oom: false, crash: true,
            cause: "exit status 1", runTimeMilliseconds: 1200, cpuTimeMilliseconds: 300, peakMemoryBytes: nil))

        try paused.enqueue(payload: #"{"later":true}"#)
        try paused.pause()
    }

    var names: [String] { [healthy, failing, paused].map(\.name.rawValue) }
}
