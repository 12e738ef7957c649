import Foundation
import RedisClient
import Synchronization

/// Runs blocking Redis calls on threads of their own, each with its own connection, so that no
/// hiredis call ever blocks Swift's cooperative pool or the server's event loops.
///
/// A request handler awaits ``run(_:)``; the call waits in a queue until one of the threads is
/// free, runs there, and resumes the handler with its result. With two threads a slow action (an
/// emergency stop) leaves the other free for the page's reads.
final class RedisThreads: Sendable {
    private typealias Work = @Sendable (RedisConnection) -> Void

    private let pending = Mutex<[Work]>([])
    private let available = DispatchSemaphore(value: 0)

    /// Starts `count` threads, each with a connection that opens on its first command (so the
    /// server starts, and says so, while Redis is not there yet).
    init(configuration: RedisConfiguration, count: Int) {
        for index in 0..<max(1, count) {
            let connection = RedisConnection(openingLazily: configuration)
            let thread = Thread { [self] in serve(connection) }
            thread.name = "jobq-web-redis-\(index)"
            thread.start()
        }
    }

    /// Runs `body` on one of the threads with its connection and returns what it returns.
    func run<T: Sendable>(_ body: @escaping @Sendable (RedisConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            pending.withLock { $0.append { connection in continuation.resume(with: Result { try body(connection) }) } }
            available.signal()
        }
    }

    private func serve(_ connection: RedisConnection) {
        while true {
            available.wait()
            let work = pending.withLock { $0.removeFirst() }
            work(connection)
        }
    }
}
