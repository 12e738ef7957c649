import Foundation
import JobQueue

/// The `example-worker` executable run as a real worker process, and its run log.
public enum ExampleWorker {
    /// One run of a job, as the worker logged it.
    public struct Run: Sendable {
        public var id: String
        public var n: Int
        /// Local wall clock, ms since the epoch.
        public var start: Int64
        public var end: Int64
        public var fencingToken: Int64
    }

    /// Starts `example-worker work QUEUE --log LOG ARGS...` against `redisURL`.
    public static func start(queue: QueueName, redisURL: String, log: URL, arguments: [String] = []) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.path("example-worker"))
        process.arguments = ["work", queue.rawValue, "--log", log.path] + arguments
        process.environment = ["JOBQ_REDIS_URL": redisURL, "PATH": "/usr/bin:/bin"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Every complete line of the log.
    public static func runs(in log: URL) -> [Run] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 5, let n = Int(parts[1]), let start = Int64(parts[2]), let end = Int64(parts[3]),
                  let fencing = Int64(parts[4]) else { return nil }
            return Run(id: String(parts[0]), n: n, start: start, end: end, fencingToken: fencing)
        }
    }

    /// A fresh log path in the temporary directory.
    public static func temporaryLog() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("jobq-runs-\(UUID().uuidString).log")
    }
}
