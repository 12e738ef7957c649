import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

/// `--alert-exec` on the operator commands (`jobq breaker reset`, `emergency-stop`, `resume`), run
/// as real processes against a real Redis. (The supervisor's alerts are in SupervisorTests.)
@Suite("jobq alerts of operator commands") struct AlertCommandTests {
    private func jobq(_ arguments: [String], redisURL: String? = nil, environment: [String: String] = [:]) throws -> CommandRun {
        try CommandRun.run("jobq", arguments, environment: ["JOBQ_REDIS_URL": try redisURL ?? TestRedis.url()].merging(environment) { $1 })
    }

    @Test func breakerResetAlertsWithTheReasonItHadTrippedFor() throws {
        let queue = try TestRedis.queue()
        let name = queue.name.rawValue
        let recorder = try AlertRecorder()
        try queue.tripBreaker(reason: "5 crashes within 10m (last: OOM)", host: "web1", pid: 1)

        let reset = try jobq(["breaker", "reset", name, "--alert-exec", recorder.path])
        #expect(reset.status == 0, "\(reset.standardError)")
        let runs = recorder.runs()
        try #require(runs.count == 1)
        #expect(runs[0].arguments == ["breaker_reset"])
        #expect(runs[0].queue == name)
        #expect(runs[0].details == ["reason": "5 crashes within 10m (last: OOM)"])
        #expect(runs[0].event["source"] as? String == "breaker reset")
        #expect(runs[0].event["severity"] as? String == "info")

        let again = try jobq(["breaker", "reset", name, "--alert-exec", recorder.path])
        #expect(again.status == 0 && again.standardOutput.contains("was not tripped"))
        #expect(recorder.runs().count == 1, "no alert when nothing was reset")
    }

    @Test func emergencyStopAndResumeEachAlertOncePerQueue() throws {
        let first = try TestRedis.queue()
        let second = try TestRedis.queue()
        let recorder = try AlertRecorder()
        let stop = try jobq([
            "emergency-stop", first.name.rawValue, second.name.rawValue, "--wait", "1s", "--reason", "disk full",
            "--alert-exec", recorder.path,
        ])
        #expect(stop.status == 0, "\(stop.standardError)")
        let stops = recorder.runs("emergency_stop")
        #expect(Set(stops.compactMap(\.queue)) == [first.name.rawValue, second.name.rawValue])
        #expect(stops.allSatisfy { $0.details["reason"] == "disk full" && $0.details["complete"] == "true" && $0.arguments == ["emergency_stop"] })

        let resume = try jobq(["resume", first.name.rawValue, "--alert-exec", recorder.path])
        #expect(resume.status == 0, "\(resume.standardError)")
        let resumed = recorder.runs("resumed")
        try #require(resumed.count == 1)
        #expect(resumed[0].queue == first.name.rawValue)
        #expect(resumed[0].details["cleared"] == "pause\nstop request")

        let idle = try jobq(["resume", first.name.rawValue, "--alert-exec", recorder.path])
        #expect(idle.status == 0)
        #expect(recorder.runs("resumed").count == 1, "nothing to resume, nothing to alert")
    }

    @Test func aDryRunAlertsNothing() throws {
        let queue = try TestRedis.queue()
        let recorder = try AlertRecorder()
        let run = try jobq(["emergency-stop", queue.name.rawValue, "--dry-run", "--alert-exec", recorder.path])
        #expect(run.status == 0)
        #expect(recorder.runs().isEmpty)
    }

    @Test func aFailingAlertCommandIsReportedAndTheCommandStillSucceeds() throws {
        let queue = try TestRedis.queue()
        let recorder = try AlertRecorder(.fail)
        try queue.tripBreaker(reason: "test", host: "web1", pid: 1)
        let reset = try jobq(["breaker", "reset", queue.name.rawValue, "--alert-exec", recorder.path])
        #expect(reset.status == 0)
        #expect(reset.standardError.contains("failed: exit status 1: webhook refused: HTTP 500"), "\(reset.standardError)")
        #expect(!(try queue.supervisorStatus().breaker))
    }

    @Test func aMissingAlertProgramOrABadIntervalIsBadUsage() throws {
        let queue = try TestRedis.queue()
        let missing = try jobq(["breaker", "reset", queue.name.rawValue, "--alert-exec", "/nonexistent/alert"])
        #expect(missing.status == 64)
        #expect(missing.standardError.contains("--alert-exec"), "\(missing.standardError)")
        let recorder = try AlertRecorder()
        let interval = try jobq(["resume", queue.name.rawValue, "--alert-exec", recorder.path, "--alert-interval", "soon"])
        #expect(interval.status == 64)
        #expect(interval.standardError.contains("--alert-interval"), "\(interval.standardError)")
        let timeout = try jobq(["resume", queue.name.rawValue, "--alert-exec", recorder.path, "--alert-timeout", "0s"])
        #expect(timeout.status == 64)
    }

    @Test func theAlertCommandNeverSeesTheRedisPassword() throws {
        let canary = "alert-canary-\(UUID().uuidString.prefix(8))"
        let server = try RedisServer(arguments: ["--requirepass", canary])
        let passwordFile = server.directory.appendingPathComponent("password").path
        try canary.write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let queue = try Queue(
            name: uniqueQueueName(),
            connection: RedisConnection(configuration: RedisConfiguration(url: "redis://:\(canary)@127.0.0.1:\(server.port)/0"))
        )
        try queue.tripBreaker(reason: "test", host: "web1", pid: 1)
        let recorder = try AlertRecorder()
        // Both ways a password reaches jobq through its environment.
        for environment in [["JOBQ_REDIS_PASSWORD_FILE": passwordFile], ["JOBQ_REDIS_PASSWORD": canary]] {
            try queue.tripBreaker(reason: "test", host: "web1", pid: 1)
            let reset = try jobq(
                ["breaker", "reset", queue.name.rawValue, "--alert-exec", recorder.path],
                redisURL: "redis://127.0.0.1:\(server.port)/0", environment: environment
            )
            #expect(reset.status == 0, "\(reset.standardError)")
        }
        let runs = recorder.runs()
        #expect(runs.count == 1, "the second reset within the interval is suppressed")
        #expect(!runs.isEmpty)
        for run in runs {
            #expect(!run.environment.contains(canary) && !run.environment.contains("JOBQ_REDIS_PASSWORD"), "\(run.environment)")
            #expect(!run.input.contains(canary) && !run.arguments.joined().contains(canary))
        }
        let suppressed = try queue.connection.command(["HGET", RedisArgument(queue.keys.alerts), "breaker_reset:suppressed"])
        #expect(suppressed.string == "1", "the gate is in the queue's own hash")
    }
}
