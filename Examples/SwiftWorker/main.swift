// An example of the JobQueue library used from Swift: enqueue jobs, and run a worker with a custom
// handler. Redis comes from JOBQ_REDIS_URL (or REDIS_URL, else redis://127.0.0.1:6379/0).
//
//   example-worker enqueue QUEUE COUNT            adds COUNT jobs {"n": i}
//   example-worker work QUEUE [options]           runs jobs until idle
//
// Options of `work`:
//   --log FILE          append "<job id> <n> <start ms> <end ms> <fencing token>" for every run
//                       (lets a test count runs per job and see which overlapped)
//   --job-ms N          pretend each job takes N ms
//   --idle-exit SECS    exit after this long without work (default 5)
//   --lease-ms N        lease length (default 30000)
//   --consumer-ttl-ms N how long a silent consumer keeps what it fetched (default 60000)
//   --poison-after N    crashes before a job is quarantined (default 2; 0 = never)
//   --allow-eviction    run even though Redis may evict keys (else refused, exit status 78)
import Foundation
import JobQueue
import Logging
import RedisClient

LoggingSystem.bootstrap(StreamLogHandler.standardError)

struct Example {
    var arguments: [String]

    func option(_ name: String) -> String? {
        guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }

    func run() throws {
        guard arguments.count >= 3 else { throw ExampleError("usage: example-worker enqueue QUEUE COUNT | work QUEUE [options]") }
        // Opened on first use: a worker started before Redis waits for it (the loop retries with backoff).
        var redisConfiguration = try RedisConfiguration.resolve(explicitURL: nil)
        if arguments.contains("--allow-eviction") { redisConfiguration.evictionCheck = .warn }
        let redis = RedisConnection(openingLazily: redisConfiguration)
        var configuration = Queue.Configuration()
        if let lease = option("--lease-ms").flatMap(Int.init) { configuration.lease = .milliseconds(lease) }
        if let ttl = option("--consumer-ttl-ms").flatMap(Int.init) {
            configuration.consumerTTL = .milliseconds(ttl)
            configuration.reapInterval = .milliseconds(max(50, ttl / 4))
        }
        if let poison = option("--poison-after").flatMap(Int.init) { configuration.poisonThreshold = poison }
        let queue = Queue(name: try QueueName(arguments[2]), connection: redis, configuration: configuration)

        switch arguments[1] {
        case "enqueue":
            guard arguments.count >= 4, let count = Int(arguments[3]) else { throw ExampleError("enqueue needs a COUNT") }
            let jobs = (0..<count).map { NewJob(payload: #"{"n":\#($0)}"#, options: EnqueueOptions(type: "example")) }
            for result in try queue.enqueue(batch: jobs) { print(result.id) }
        case "work":
            try work(queue)
        default:
            throw ExampleError("unknown command \(arguments[1])")
        }
    }

    /// The custom handler: decode the payload, do the work, report the result.
    func work(_ queue: Queue) throws {
        struct Payload: Decodable { let n: Int }
        let log = option("--log").map { open($0, O_WRONLY | O_APPEND | O_CREAT, 0o644) }
        let jobMilliseconds = option("--job-ms").flatMap(UInt32.init) ?? 0
        var configuration = Worker.Configuration()
        configuration.idleExit = .seconds(option("--idle-exit").flatMap(Int.init) ?? 5)
        let worker = Worker(queue: queue, configuration: configuration) { context in
            let start = Int64(Date().timeIntervalSince1970 * 1000)
            let payload = try context.job.decodePayload(Payload.self)
            if jobMilliseconds > 0 { usleep(jobMilliseconds * 1000) }
            if let log {
                let end = Int64(Date().timeIntervalSince1970 * 1000)
                let line = Array("\(context.job.id) \(payload.n) \(start) \(end) \(context.job.fencingToken ?? 0)\n".utf8)
                _ = line.withUnsafeBytes { write(log, $0.baseAddress, $0.count) }
            }
            return .completed
        }
        let stopped = try worker.run()
        FileHandle.standardError.write(Data("example-worker: stopped (\(stopped.rawValue))\n".utf8))
    }
}

struct ExampleError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

do {
    try Example(arguments: CommandLine.arguments).run()
} catch {
    FileHandle.standardError.write(Data("example-worker: \(error)\n".utf8))
    // A Redis that may evict keys is refused with its own status, which a supervisor does not relaunch.
    exit(JobQueueError.evictionRefusalExitStatus(for: error) ?? 1)
}
