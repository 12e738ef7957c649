import Foundation
import JobQueue
import RedisClient
import StatsRendering
import Supervisor

/// Everything the dashboard reads and does, as synchronous calls on one Redis connection; the
/// server runs them on ``RedisThreads``. The documents are made by the same code as
/// `jobq stats --json` and `jobq stats --prometheus`.
struct DashboardReader: Sendable {
    let configuration: DashboardConfiguration

    /// `GET /api/queues` and `/api/queues/Q`: the `jobq stats --json` document of every known queue,
    /// or of one. A queue that cannot be read is left out and logged, without hiding the others.
    func statsDocument(_ queue: QueueName?, on connection: RedisConnection, unreadable: (JobQueueError) -> Void) throws -> String {
        let names = try queue.map { [$0] } ?? redis { try Queue.knownNames(on: connection) }
        if let queue { try requireKnown(queue, on: connection) }
        let results = try redis { try QueueStats.readEach(names, on: connection, configuration: configuration.stats) }
        for case .failure(let error) in results { unreadable(error) }
        if let queue, case .failure(let error)? = results.first {
            throw WebError(.redis, "cannot read \(queue): \(error.message)")
        }
        let memory = try redis { try RedisMemory.read(on: connection) }
        return try QueueStats.jsonDocument(results.compactMap { try? $0.get() }, redis: memory, prettyPrinted: false)
    }

    /// `GET /metrics`: the `jobq stats --prometheus` text of every known queue and of the server.
    func metricsText(on connection: RedisConnection, unreadable: (JobQueueError) -> Void) throws -> String {
        let results = try redis {
            try QueueStats.readEach(Queue.knownNames(on: connection), on: connection, configuration: configuration.stats)
        }
        for case .failure(let error) in results { unreadable(error) }
        let memory = try redis { try RedisMemory.read(on: connection) }
        return QueueStats.prometheusText(
            results.compactMap { try? $0.get() }, redis: (connection.configuration.description, memory))
    }

    /// `GET /api/queues/Q/activity`: the chart's series, the timeline and the dead letters.
    func activity(_ name: QueueName, on connection: RedisConnection) throws -> QueueActivity {
        try requireKnown(name, on: connection)
        return try redis {
            guard let result = try QueueStats.readSnapshots([name], on: connection, configuration: configuration.stats).first else {
                throw WebError(.redis, "cannot read \(name)")
            }
            let queue = Queue(name: name, connection: connection)
            return QueueActivity(
                snapshot: try result.get(), exits: try queue.workerExits(), events: try queue.events(),
                deadLetters: try queue.deadLetters(limit: configuration.deadLetterLimit))
        }
    }

    /// `GET /api/queues/Q/jobs/ID`: the job as `jobq show --json` prints it.
    func job(_ id: String, in name: QueueName, on connection: RedisConnection) throws -> JobRecord {
        guard !id.isEmpty, id.utf8.count <= 256 else { throw WebError(.badRequest, "'\(id.prefix(40))' is not a job id") }
        guard let record = try redis({ try Queue(name: name, connection: connection).job(id: id) }) else {
            throw WebError(.notFound, "no job '\(id)' in queue '\(name)' (completed jobs are kept only where the queue keeps a history: jobq retention --keep-completed)")
        }
        return record
    }

    /// Carries out an action on a queue and says what was done, in one line.
    func perform(_ action: QueueAction, on name: QueueName, by operatorName: String, connection: RedisConnection) throws -> String {
        try requireKnown(name, on: connection)
        let queue = Queue(name: name, connection: connection)
        return try redis {
            switch action {
            case .retryDead(let id):
                let retried = try queue.retryDead(ids: id.map { [$0] })
                if let id, retried.requeued + retried.lost == 0 { throw WebError(.notFound, "no dead letter '\(id)' in \(name)") }
                let lost = retried.lost == 0 ? "" : "; \(retried.lost) found evicted, counted lost"
                return "moved \(retried.requeued) dead letter\(retried.requeued == 1 ? "" : "s") of \(name) back to waiting\(lost)"
            case .pause:
                try queue.pause()
                return "paused \(name)"
            case .resume:
                let result = try QueueResume.resume(queue, by: operatorName)
                let start = result.startCommand.map { "; start the stopped units by hand: \($0)" } ?? ""
                return "resumed \(name)\(start)"
            case .resetBreaker:
                return try queue.resetBreaker() ? "breaker of \(name) reset; start its supervisor again" : "breaker of \(name) was not tripped"
            case .emergencyStop:
                var stop = EmergencyStop.Configuration()
                stop.queues = [name]
                stop.by = operatorName
                stop.reason = "emergency stop from the dashboard"
                stop.wait = .zero
                let emergency = EmergencyStop(connection: connection, configuration: stop)
                let outcome = try emergency.execute(emergency.plan())
                let running = outcome.stillRunning.count
                return "stopped \(name): paused, supervisor asked to stop"
                    + (running == 0 ? "; no job is running" : "; \(running) job\(running == 1 ? "" : "s") still running, back in waiting when stopped")
            }
        }
    }

    /// Refuses a queue that nothing has ever written to, as `jobq stats QUEUE` does.
    private func requireKnown(_ name: QueueName, on connection: RedisConnection) throws {
        let known = try redis {
            try Queue.registeredNames(on: connection).contains(name)
                || !(try QueueStats.read([name], on: connection, configuration: configuration.stats).first?.showsNoTrace ?? true)
        }
        guard known else { throw WebError(.notFound, "no queue '\(name)': nothing has ever written to it") }
    }

    /// Turns the queue library's errors into ``WebError`` `.redis`, keeping those already made.
    private func redis<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as WebError {
            throw error
        } catch let error as JobQueueError {
            throw WebError(.redis, error.message)
        } catch let error as RedisError {
            throw WebError(.redis, error.message)
        }
    }
}
