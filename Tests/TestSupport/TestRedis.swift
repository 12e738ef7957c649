import Foundation
import JobQueue
import RedisClient

/// The Redis server shared by the tests of one run: the one named by `JOBQ_TEST_REDIS_URL`
/// (started by the test script or CI), else a private server started on first use.
/// Tests isolate themselves by queue name; nothing here flushes a database.
public enum TestRedis {
    private static let shared: Result<String, TestFailure> = {
        if let url = ProcessInfo.processInfo.environment["JOBQ_TEST_REDIS_URL"], !url.isEmpty { return .success(url) }
        do {
            let server = try RedisServer()
            privateServer = server
            return .success(server.url)
        } catch {
            return .failure(TestFailure("no test Redis: set JOBQ_TEST_REDIS_URL or install redis-server (\(error))"))
        }
    }()
    nonisolated(unsafe) private static var privateServer: RedisServer?

    /// The URL of the shared test server.
    public static func url() throws -> String { try shared.get() }

    /// A new connection to the shared test server.
    public static func connection() throws -> RedisConnection {
        try RedisConnection(configuration: RedisConfiguration(url: url()))
    }

    /// A queue with a name no other test uses, on a new connection.
    public static func queue(_ label: String = #function, configuration: Queue.Configuration = Queue.Configuration()) throws -> Queue {
        try Queue(name: uniqueQueueName(label), connection: connection(), configuration: configuration)
    }
}

/// A queue name unique to this call: the label (sanitised) and a random suffix.
public func uniqueQueueName(_ label: String = #function) throws -> QueueName {
    let cleaned = label.unicodeScalars.map { scalar -> Character in
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9": return Character(scalar)
        default: return "-"
        }
    }
    let stem = String(String(cleaned).prefix(40)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    return try QueueName("t-\(stem)-\(UUID().uuidString.prefix(8).lowercased())")
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes.
/// - Returns: whether it held.
@discardableResult
public func eventually(timeout: Duration = .seconds(10), _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        usleep(20_000)
    }
    return try condition()
}
