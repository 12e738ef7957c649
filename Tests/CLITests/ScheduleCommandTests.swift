import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

/// `jobq schedule` and the schedulers of real `jobq supervise` and `jobq schedule run` processes.
@Suite("jobq schedule", .serialized) struct ScheduleCommandTests {
    /// A long-running jobq process, its output in a file.
    final class Running {
        let process = Process()
        let log: URL

        init(_ arguments: [String], redisURL: String) throws {
            log = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-schedule-\(UUID().uuidString.prefix(8)).log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            process.executableURL = URL(fileURLWithPath: Binaries.path("jobq"))
            process.arguments = arguments
            process.environment = ["PATH": "/usr/bin:/bin", "JOBQ_REDIS_URL": redisURL]
            process.standardOutput = try FileHandle(forWritingTo: log)
            process.standardError = process.standardOutput
            try process.run()
        }

        /// Sends SIGTERM and waits; returns the exit status and the output.
        func stop() -> (status: Int32, output: String) {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            defer { try? FileManager.default.removeItem(at: log) }
            return (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
        }
    }

    /// The tick times of the jobs a schedule enqueued (from their ids), oldest first.
    static func ticks(_ queue: Queue, schedule: String) throws -> [Int64] {
        let entries = try queue.connection.command(["LRANGE", RedisArgument(queue.keys.wait), "0", "-1"]).array ?? []
        return entries.compactMap { entry -> Int64? in
            guard let id = entry.string?.dropFirst(), id.hasPrefix("schedule:\(schedule):") else { return nil }
            return Int64(id.split(separator: ":").last ?? "")
        }.sorted()
    }

    @Test func aTwoSecondScheduleRunByTwoSupervisorsForThirtySecondsEnqueuesFifteenJobsOnePerTick() throws {
        let url = try TestRedis.url()
        let queue = try TestRedis.queue()
        let name = queue.name.rawValue
        let supervisors = try (0..<2).map { _ in
            try Running(["supervise", name, "--no-cgroup", "--max-load", "100", "--max-cpu-pressure", "100", "--min-available", "1M",
                         "--", "/bin/sleep", "600"], redisURL: url)
        }
        usleep(500_000)
        // Catch-up all: a supervisor held up for a tick's length by a loaded machine fires the
        // tick late rather than dropping it, so what is counted is how many ticks got a job.
        let added = try CommandRun.run(
            "jobq", ["schedule", "add", name, "beat", "--every", "2s", "--catch-up", "all", #"{"beat":true}"#], environment: ["JOBQ_REDIS_URL": url])
        #expect(added.status == 0, "\(added.standardError)")
        let created = try queue.schedule(named: "beat").createdAt
        usleep(30_000_000)
        let outputs = supervisors.map { $0.stop() }
        for output in outputs { #expect(output.status == 0, "\(output.output)") }

        let ticks = try Self.ticks(queue, schedule: "beat")
        #expect((14...16).contains(ticks.count), "\(ticks.count) jobs; supervisors said:\n\(outputs.map(\.output).joined(separator: "\n---\n"))")
        #expect(Set(ticks).count == ticks.count, "never two jobs for one tick")
        #expect(ticks.first == created + 2000, "the first tick is two seconds after the schedule was added")
        #expect(zip(ticks, ticks.dropFirst()).allSatisfy { $1 - $0 == 2000 }, "no tick missed, none doubled: \(ticks)")
        let schedule = try queue.schedule(named: "beat")
        #expect(schedule.enqueued == ticks.count && schedule.missed == 0 && schedule.skipped == 0)
        let firing = outputs.filter { $0.output.contains("schedule beat of queue \(name): enqueued ") }
        #expect(firing.count >= 1, "a supervisor logged its ticks")
    }

    @Test func aSupervisorWithNoSchedulesFiresNoneAndAStoppedSchedulerGivesItsLeaseUp() throws {
        let url = try TestRedis.url()
        let queue = try TestRedis.queue()
        let name = queue.name.rawValue
        try queue.addSchedule(NewSchedule(name: "beat", rule: .every(.seconds(1)), payload: "{}"))
        let quiet = try Running(["supervise", name, "--no-schedules", "--no-cgroup", "--max-load", "100", "--max-cpu-pressure", "100",
                                 "--min-available", "1M", "--", "/bin/sleep", "600"], redisURL: url)
        usleep(2_500_000)
        #expect(try Self.ticks(queue, schedule: "beat").isEmpty, "a supervisor with --no-schedules fires nothing")
        #expect(try queue.schedules().schedulerHolder == nil)
        #expect(quiet.stop().status == 0)

        let runner = try Running(["schedule", "run", name], redisURL: url)
        #expect(eventually(timeout: .seconds(5)) { ((try? Self.ticks(queue, schedule: "beat"))?.count ?? 0) >= 1 })
        #expect(try queue.schedules().schedulerHolder != nil)
        let output = runner.stop()
        #expect(output.status == 0, "\(output.output)")
        #expect(try queue.schedules().schedulerHolder == nil, "SIGTERM gives the lease up")
        let unknown = try CommandRun.run("jobq", ["schedule", "run"], environment: ["JOBQ_REDIS_URL": "redis://127.0.0.1:1/0"])
        #expect(unknown.status == 1 && !unknown.standardError.isEmpty)
    }

    @Test func schedulesAreAddedListedShownPausedResumedAndRemovedFromTheCommandLine() throws {
        let url = try TestRedis.url()
        let queue = try TestRedis.queue().name.rawValue
        let environment = ["JOBQ_REDIS_URL": url]
        func jobq(_ arguments: [String]) throws -> CommandRun { try CommandRun.run("jobq", arguments, environment: environment) }

        let add = try jobq(["schedule", "add", queue, "ingest-guide", "--cron", "0 */4 * * *", "--tz", "Europe/Berlin", "--type", "ingest",
                            "--catch-up", "all", "--skip-if-running", #"{"path":"guide.md"}"#])
        #expect(add.status == 0 && add.standardOutput.contains("added schedule ingest-guide"), "\(add.standardError)")
        #expect(try jobq(["schedule", "add", queue, "often", "--every", "4h"]).status == 0)
        let list = try jobq(["schedule", "list", queue])
        #expect(list.status == 0)
        #expect(list.lines.first?.hasPrefix("ingest-guide: cron 0 */4 * * * (Europe/Berlin); next in ") == true, "\(list.standardOutput)")
        #expect(list.standardOutput.contains("often: every 4h; next in "))
        #expect(list.standardOutput.contains("scheduler: none running"))
        let json = try jobq(["schedule", "list", queue, "--json"])
        let document = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
        let schedules = document?["schedules"] as? [[String: Any]]
        #expect(schedules?.first?["catch_up"] as? String == "all" && schedules?.first?["skip_if_running"] as? Bool == true)
        #expect(schedules?.last?["every_ms"] as? Int == 14_400_000)
        let show = try jobq(["schedule", "show", queue, "ingest-guide"])
        #expect(show.standardOutput.contains("type ingest") && show.standardOutput.contains(#"payload {"path":"guide.md"}"#))
        #expect(try jobq(["schedule", "pause", queue, "often"]).status == 0)
        #expect(try jobq(["schedule", "show", queue, "often"]).standardOutput.contains("state         paused"))
        let resume = try jobq(["schedule", "resume", queue, "often"])
        #expect(resume.status == 0 && resume.standardOutput.contains("next in"))
        #expect(try jobq(["schedule", "remove", queue, "often"]).status == 0)
        let stats = try jobq(["stats", queue])
        #expect(stats.standardOutput.contains("schedules   ingest-guide: cron 0 */4 * * *"), "\(stats.standardOutput)")
        #expect(!stats.standardOutput.contains("often"))
        let statsJSON = try QueueStats.decodeJSONDocument(Data(try jobq(["stats", queue, "--json"]).standardOutput.utf8))
        #expect(statsJSON.first?.schedules.map(\.name) == ["ingest-guide"])
    }

    @Test func badInputGetsAClearMessageAndItsExitStatus() throws {
        let url = try TestRedis.url()
        let queue = try TestRedis.queue().name.rawValue
        let environment = ["JOBQ_REDIS_URL": url]
        let usage: [([String], String)] = [
            (["--cron", "61 * * * *"], "61 is out of range for the minute field"),
            (["--cron", "0 3 * *"], "a cron expression has 5 fields"),
            (["--cron", "0 3 * * *", "--tz", "Europe/Atlantis"], "unknown time zone 'Europe/Atlantis'"),
            (["--every", "10 parsecs"], "--every: '10 parsecs' is not a duration"),
            (["--every=-5s"], "negative durations are not allowed"),
            (["--every", "100ms"], "the interval must be at least 1s"),
            (["--every", "1h", "--cron", "0 * * * *"], "give either --every DURATION or --cron EXPRESSION"),
            ([], "give either --every DURATION or --cron EXPRESSION"),
            (["--every", "1h", "--tz", "UTC"], "--tz goes with --cron"),
            (["--every", "1h", "--catch-up", "some"], "--catch-up must be none, one or all"),
            (["--every", "1h", "--max-attempts", "0"], "--max-attempts must be from 1 to 1000"),
        ]
        for (options, message) in usage {
            let run = try CommandRun.run("jobq", ["schedule", "add", queue, "s"] + options, environment: environment)
            #expect(run.status == 64, "\(options): \(run.standardError)")
            #expect(run.standardError.contains(message), "\(options): \(run.standardError)")
        }
        let badName = try CommandRun.run("jobq", ["schedule", "add", queue, "bad name", "--every", "1h"], environment: environment)
        #expect(badName.status == 64 && badName.standardError.contains("invalid schedule name 'bad name'"))
        let badJSON = try CommandRun.run("jobq", ["schedule", "add", queue, "s", "--every", "1h", "{oops"], environment: environment)
        #expect(badJSON.status == 1 && badJSON.standardError.contains("payload is not valid JSON"), "\(badJSON.standardError)")
        #expect(try CommandRun.run("jobq", ["schedule", "add", queue, "s", "--every", "1h"], environment: environment).status == 0)
        let twice = try CommandRun.run("jobq", ["schedule", "add", queue, "s", "--every", "1h"], environment: environment)
        #expect(twice.status == 1 && twice.standardError.contains("already has a schedule named 's'"))
        for verb in ["show", "pause", "resume", "remove"] {
            let missing = try CommandRun.run("jobq", ["schedule", verb, queue, "nope"], environment: environment)
            #expect(missing.status == 1 && missing.standardError.contains("has no schedule named 'nope'"), "\(verb): \(missing.standardError)")
        }
        let handle = try Queue(name: QueueName(queue), connection: RedisConnection(configuration: RedisConfiguration(url: url)))
        _ = try handle.connection.command(["HSET", RedisArgument(handle.keys.schedule("s")), "kind", "lunar"])
        let listed = try CommandRun.run("jobq", ["schedule", "list", queue, "--json"], environment: environment)
        let document = try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [String: Any]
        #expect((document?["unreadable_schedules"] as? [String: String])?["s"]?.contains("'lunar'") == true, "\(listed.standardOutput)")
        for verb in ["show", "resume"] {
            let unreadable = try CommandRun.run("jobq", ["schedule", verb, queue, "s"], environment: environment)
            #expect(unreadable.status == 1 && unreadable.standardError.contains("schedule 's' of queue \(queue) cannot be read"),
                    "\(verb): \(unreadable.status) \(unreadable.standardError)")
        }
        let down = try CommandRun.run("jobq", ["schedule", "list", queue], environment: ["JOBQ_REDIS_URL": "redis://127.0.0.1:1/0"])
        #expect(down.status == 1 && !down.standardError.isEmpty)
    }

    @Test func schedulesFireOnEveryMasterOfARedisCluster() throws {
        let cluster = try RedisCluster()
        defer { cluster.stop() }
        let connection = try RedisConnection(configuration: RedisConfiguration(url: cluster.url))
        let queues = try cluster.queueNamesOnEachNode().map { Queue(name: $0, connection: connection) }
        for (index, queue) in queues.enumerated() {
            let add = try CommandRun.run(
                "jobq", ["schedule", "add", queue.name.rawValue, "beat", "--every", "1s", "--catch-up", "all"],
                environment: ["JOBQ_REDIS_URL": cluster.nodes[index].url])
            #expect(add.status == 0, "\(add.standardError)")
        }
        let names = queues.map(\.name.rawValue)
        let runners = try (0..<2).map { index in try Running(["schedule", "run"] + names, redisURL: cluster.nodes[index + 1].url) }
        usleep(5_500_000)
        let outputs = runners.map { $0.stop() }
        for output in outputs { #expect(output.status == 0, "\(output.output)") }
        // However slowly the processes started (catch-up all fills in late ticks), every tick from the
        // first after creation to the last fired has exactly one job.
        for queue in queues {
            let ticks = try Self.ticks(queue, schedule: "beat")
            let schedule = try queue.schedule(named: "beat")
            #expect(ticks.count >= 4, "\(queue.name): \(ticks)")
            #expect(ticks.first == schedule.createdAt + 1000 && ticks.last == schedule.lastTickAt, "\(queue.name): \(ticks)")
            #expect(zip(ticks, ticks.dropFirst()).allSatisfy { $1 - $0 == 1000 }, "\(queue.name): one job per tick: \(ticks)")
            #expect(schedule.enqueued == ticks.count && schedule.missed == 0)
        }
    }
}
