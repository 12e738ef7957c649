import Foundation
import JobQueue
import JobqTestSupport
import RedisClient

/// A real queue as the dashboard shows its schedules, running jobs, priorities and history: a
/// schedule that fired once and whose job completed (kept, with its result and progress), a cron
/// schedule, a paused one and one this version cannot read; a job running with progress reported;
/// jobs waiting at high and low priority.
struct ScheduledWorkFixture {
    let queue: Queue
    /// The job the `report` schedule enqueued, completed and kept in the history.
    let completedID: String
    /// The job a consumer holds, with its progress saved.
    let runningID: String
    /// The reason the unreadable schedule cannot be read, as the stats report it.
    let unreadableReason: String

    /// What the completed job gave as its result.
    static let result = "report.pdf: 12 pages"

    /// Makes the queue on the Redis at `url` (the shared test Redis by default).
    init(_ label: String = #function, redis url: String? = nil) throws {
        let connection = try RedisConnection(configuration: RedisConfiguration(url: url ?? TestRedis.url()))
        queue = try Queue(name: uniqueQueueName("\(label)-sched"), connection: connection)
        try queue.keepCompleted(RetentionLimit.parse("1h/100"))

        _ = try queue.addSchedule(NewSchedule(name: "report", rule: .interval(.seconds(1)), payload: #"{"report":"daily"}"#, type: "report"))
        _ = try queue.addSchedule(NewSchedule(name: "sync", rule: .cron("0 3 * * *", timeZone: "Europe/Berlin"), payload: "{}", skipIfRunning: true))
        _ = try queue.addSchedule(NewSchedule(name: "cleanup", rule: .interval(.seconds(3600)), payload: "{}"))
        try queue.pauseSchedule(named: "cleanup")
        // A schedule as a newer jobq might write it: a kind of rule this one does not know.
        _ = try connection.command(["SADD", RedisArgument(queue.keys.schedules), "lunar"])
        _ = try connection.command([
            "HSET", RedisArgument(queue.keys.schedule("lunar")), "kind", "lunar", "rule", "full moon", "payload", "{}", "max_attempts", "1",
        ])
        guard let reason = try queue.schedules().unreadable["lunar"] else { throw TestFailure("the lunar schedule was read") }
        unreadableReason = reason

        // The report schedule fires once, and its job runs to the end with its progress and result.
        let scheduler = Scheduler(queues: [queue])
        let fired = try eventually(timeout: .seconds(5)) { (try scheduler.runPass().first?.enqueued ?? 0) > 0 }
        scheduler.releaseLeases()
        guard fired else { throw TestFailure("the report schedule did not fire") }
        let worker = try Consumer(queue: queue)
        try worker.heartbeat()
        guard case .job(let report) = try worker.reserve(waitingUpTo: .seconds(2)) else { throw TestFailure("no scheduled job to run") }
        _ = try worker.extendLease(report, progress: JobProgress(done: 12, total: 12, message: "pages"))
        _ = try worker.ack(report, result: Self.result)
        completedID = report.id

        // A job that runs now, with its progress saved and its worker registered as running it.
        runningID = try queue.enqueue(payload: #"{"dir":"/srv/docs"}"#, options: EnqueueOptions(type: "ingest")).id
        guard case .job(let ingest) = try worker.reserve(waitingUpTo: .seconds(2)) else { throw TestFailure("no job to start") }
        _ = try worker.extendLease(ingest, progress: JobProgress(done: 3, total: 10, message: "files"))
        try worker.heartbeat(info: [("job", ingest.id), ("job_started_at", String(ingest.startedAt))])

        for priority in [JobPriority.high, .high, .normal, .low] {
            _ = try queue.enqueue(payload: "{}", options: EnqueueOptions(priority: priority))
        }
    }
}
