import Foundation
import RedisClient

/// The Redis side of a queue's supervisor: its state hash, its ticks, and the record of worker exits.
extension Queue {
    /// The supervisor hash (state, worker, breaker, standby), empty fields when none ever ran.
    public func supervisorStatus() throws -> SupervisorStatus {
        let reply = try redis { try connection.command(["HGETALL", RedisArgument(keys.supervisor)]) }
        return SupervisorStatus(fields: Self.fields(reply))
    }

    /// The most recent worker exits, newest first. Records this version cannot read are skipped.
    /// - Parameter limit: how many to return (at most 100 are kept).
    public func workerExits(limit: Int = 100) throws -> [WorkerExitRecord] {
        guard limit > 0 else { return [] }
        let reply = try redis { try connection.command(["LRANGE", RedisArgument(keys.exits), "0", RedisArgument(limit - 1)]) }
        let decoder = JSONDecoder()
        return (reply.array ?? []).compactMap { item in
            guard case .bulk(let bytes) = item else { return nil }
            return try? decoder.decode(WorkerExitRecord.self, from: Data(bytes))
        }
    }

    /// Reads what an active supervisor needs each tick, in one script call, and marks it alive
    /// (`updated_at`).
    public func supervisionTick() throws -> SupervisionTick {
        let reply = try redis { try connection.run(QueueScripts.supervisionTick, keys: keys.scriptKeys, arguments: []) }
        guard let parts = reply.array, parts.count == 9, let now = parts[0].integer, let waiting = parts[1].integer,
              let due = parts[2].integer else {
            throw JobQueueError.protocolMismatch("supervision-tick", reply)
        }
        let text = parts.map { $0.string ?? "" }
        let stop = text[4] == "1" ? StopRequest(by: text[5], at: Int64(text[6]) ?? 0, reason: text[7]) : nil
        return SupervisionTick(
            now: now, waiting: Int(waiting), hasDueDelayed: due > 0, paused: text[3] == "1", stopRequest: stop,
            breakerTripped: text[8] == "1"
        )
    }

    /// Writes the active supervisor's state into the supervisor hash (and counts a launch when the
    /// report says so).
    /// - Returns: the Redis clock, ms since the epoch.
    @discardableResult
    public func reportSupervisor(_ report: SupervisorReport) throws -> Int64 {
        let arguments: [RedisArgument] = [
            RedisArgument(report.state.rawValue), RedisArgument(report.detail), RedisArgument(report.host),
            RedisArgument(Int(report.pid)), RedisArgument(report.workerPID.map { String($0) } ?? ""),
            RedisArgument(report.workerID ?? ""), RedisArgument(report.backoffRemaining.map { String($0.milliseconds) } ?? ""),
            report.countsLaunch ? "1" : "0", RedisArgument(report.holder),
        ]
        let reply = try redis { try connection.run(QueueScripts.supervisionReport, keys: keys.scriptKeys, arguments: arguments) }
        return reply.integer ?? 0
    }

    /// Marks a supervisor that waits for the supervisor lock (`standby`, `standby_at`), leaving the
    /// active supervisor's fields alone.
    /// - Parameter holder: the waiting supervisor, `host/pid`.
    public func reportStandby(holder: String) throws {
        _ = try redis { try connection.run(QueueScripts.supervisionStandby, keys: keys.scriptKeys, arguments: [RedisArgument(holder)]) }
    }

    /// Records a worker's exit in one atomic step: the jobs it still held are blamed (when
    /// `record.crash`: crash counted with `record.cause`, poison after
    /// ``Configuration/poisonThreshold`` crashes) or put back untouched; the record is pushed on the
    /// exits list (the newest 100 are kept); `crashes` and `oom_kills` are counted.
    ///
    /// Besides `record.workerID`, any consumer registered from `record.host` and `record.pid` is
    /// treated as the worker's, so jobs of a worker that ignored `JOBQ_WORKER_ID` are not stranded.
    /// - Returns: the record as stored, with `at` and `jobs` filled in.
    public func recordWorkerExit(_ record: WorkerExitRecord) throws -> WorkerExitRecord {
        let json = try JSONEncoder().encode(record)
        let arguments: [RedisArgument] = [
            RedisArgument(record.workerID), RedisArgument(record.host), RedisArgument(Int(record.pid)),
            record.crash ? "1" : "0", RedisArgument(record.cause), RedisArgument(configuration.poisonThreshold),
            RedisArgument(bytes: Array(json)), record.crash ? "1" : "0", record.oom ? "1" : "0",
        ]
        let reply = try redis { try connection.run(QueueScripts.supervisionWorkerExit, keys: keys.scriptKeys, arguments: arguments) }
        guard let parts = reply.array, let now = parts.first?.integer else {
            throw JobQueueError.protocolMismatch("supervision-worker-exit", reply)
        }
        let items = parts.dropFirst().compactMap(\.string)
        var stored = record
        stored.at = now
        stored.jobs = stride(from: 0, to: items.count - 1, by: 2).map { index in
            WorkerExitRecord.Job(id: items[items.startIndex + index], outcome: items[items.startIndex + index + 1])
        }
        return stored
    }
}
