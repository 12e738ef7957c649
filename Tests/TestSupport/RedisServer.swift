import Foundation
import JobQueue
import Processes
import RedisClient

/// A private `redis-server` started by a test, on a free loopback port, without persistence
/// unless asked. Stopped (SIGTERM, then SIGKILL) by ``stop()`` or when the test process exits.
public final class RedisServer: @unchecked Sendable {
    // Mutable state is touched only by the test that owns the server, from one task at a time.
    public private(set) var port: Int = 0
    public let directory: URL
    private let extraArguments: [String]
    private var process: ChildProcess?

    /// The server's URL.
    public var url: String { "redis://127.0.0.1:\(port)/0" }

    /// Starts a server. `arguments` are extra `redis-server` options (e.g. `["--appendonly", "yes"]`);
    /// the port is picked at random from `ports` (a cluster node needs port + 10000 free too).
    public init(arguments: [String] = [], ports: ClosedRange<Int> = 20000...60000) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        extraArguments = arguments
        var lastError: (any Error)?
        for _ in 0..<20 {
            let candidate = Int.random(in: ports)
            do {
                port = candidate
                try launch()
                return
            } catch {
                lastError = error
            }
        }
        throw lastError ?? TestFailure("could not start redis-server")
    }

    deinit { stop() }

    /// The server's process id, while running.
    public var pid: Int32? { process?.pid }

    /// Starts the server again on the same port and directory (e.g. after ``stop()``).
    public func start() throws { try launch() }

    /// Stops the server and waits for it to exit.
    public func stop() {
        guard let process else { return }
        _ = process.terminate(grace: .seconds(5))
        self.process = nil
    }

    /// Sends a signal to the server (SIGSTOP / SIGCONT to freeze it).
    public func signal(_ signal: Int32) {
        if let pid { kill(pid, signal) }
    }

    private func launch() throws {
        let arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", directory.path, "--daemonize", "no", "--protected-mode", "yes", "--loglevel", "warning",
        ] + extraArguments
        let process = try ChildProcess.launch(LaunchOptions(
            executable: try Self.redisServerExecutable().path, arguments: arguments,
            standardOutput: .discard, standardError: .discard))
        self.process = process
        RedisServerRegistry.add(process.pid)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if process.wait(timeout: .zero) != nil { break }
            if Self.answers(url) { return }
            usleep(20_000)
        }
        _ = process.terminate(grace: .zero)
        self.process = nil
        throw TestFailure("redis-server did not start on port \(port)")
    }

    /// True when a server answers at `url`, even if only to refuse an unauthenticated PING.
    private static func answers(_ url: String) -> Bool {
        do {
            // Whatever the server's eviction policy (a test may start one that evicts on purpose).
            var configuration = try RedisConfiguration(url: url)
            configuration.evictionCheck = .ignore
            _ = try RedisConnection(configuration: configuration).command(["PING"])
            return true
        } catch let error as RedisError {
            return error.code == .authenticationFailed
        } catch {
            return false
        }
    }

    static func redisServerExecutable() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/bin"]
        for directory in directories {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent("redis-server")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw TestFailure("redis-server is not installed (apt-get install redis-server)")
    }
}

/// Servers started by this test process, killed at exit so none outlives the tests.
enum RedisServerRegistry {
    nonisolated(unsafe) private static var pids: [Int32] = []
    private static let lock = NSLock()
    private static let installHook: Void = { atexit { RedisServerRegistry.killAll() } }()

    static func add(_ pid: Int32) {
        _ = installHook
        lock.lock()
        pids.append(pid)
        lock.unlock()
    }

    static func killAll() {
        lock.lock()
        for pid in pids { kill(pid, SIGKILL) }
        pids = []
        lock.unlock()
    }
}

/// A failure in test set-up.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A connection for a test's own setup and checks, whatever the server's eviction policy (tests
/// start servers that evict on purpose, to see jobq refuse or report them).
public func setupConnection(_ url: String) throws -> RedisConnection {
    var configuration = try RedisConfiguration(url: url)
    configuration.evictionCheck = .ignore
    return try RedisConnection(configuration: configuration)
}
