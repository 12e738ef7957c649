import Foundation
import Glibc
import JobQueue
import JobqTestSupport
import Logging
import RedisClient
@testable import Supervisor
import Testing

/// The alert runner on its own: what the alert command gets, de-duplication in Redis across
/// runners (processes), and commands that fail, hang or pile up.
@Suite(.serialized)
struct AlertRunnerTests {
    private func runner(_ recorder: AlertRecorder, interval: Duration = .seconds(600), timeout: Duration = .seconds(5), maxPending: Int = 32, redis: RedisConfiguration?) -> AlertRunner {
        var configuration = AlertRunner.Configuration(executable: recorder.path)
        configuration.interval = interval
        configuration.timeout = timeout
        configuration.maxPending = maxPending
        configuration.source = "test"
        configuration.host = "test-host"
        return AlertRunner(configuration: configuration, redis: redis, logger: supervisorTestLogger)
    }

    @Test func theCommandGetsTheEventAsJSONOnStdinAndItsKindAsItsOnlyArgument() throws {
        let queue = try TestRedis.queue()
        let recorder = try AlertRecorder()
        let alerts = runner(recorder, redis: queue.connection.configuration)
        alerts.raise(.breakerTripped(queue: queue.name, reason: "3 crashes within 1m (last: exit status 1)"))
        #expect(alerts.finish())

        let runs = recorder.runs()
        try #require(runs.count == 1)
        let run = runs[0]
        #expect(run.arguments == ["breaker_tripped"])
        #expect(run.input.hasSuffix("}\n"), "one JSON object, then a newline")
        let event = run.event
        #expect(event["schema"] as? Int == AlertEvent.schemaVersion)
        #expect(run.kind == "breaker_tripped")
        #expect(event["severity"] as? String == "critical")
        #expect(run.queue == queue.name.rawValue)
        #expect((event["summary"] as? String)?.contains("crash-loop breaker of queue \(queue.name) tripped") == true)
        #expect(run.details == ["reason": "3 crashes within 1m (last: exit status 1)"])
        #expect(event["host"] as? String == "test-host" && event["source"] as? String == "test")
        #expect(event["pid"] as? Int == Int(getpid()))
        #expect(run.suppressed == 0 && event["dropped"] as? Int == 0)
        let at = try #require(event["at_ms"] as? Int)
        #expect(abs(Double(at) / 1000 - Date().timeIntervalSince1970) < 60)
        #expect((event["at"] as? String)?.hasSuffix("Z") == true)
    }

    @Test func theSameKindForTheSameQueueIsDeliveredOncePerIntervalAcrossProcessesAndTheSuppressedAreCounted() throws {
        let queue = try TestRedis.queue()
        let other = try TestRedis.queue()
        let recorder = try AlertRecorder()
        let redis = queue.connection.configuration
        // Three runners stand for three supervisor processes started one after another.
        let first = runner(recorder, interval: .seconds(2), redis: redis)
        first.raise(.breakerTripped(queue: queue.name, reason: "first"))
        first.raise(.breakerReset(queue: queue.name, reason: "first"))
        first.raise(.breakerTripped(queue: other.name, reason: "other queue"))
        #expect(first.finish())
        let second = runner(recorder, interval: .seconds(2), redis: redis)
        second.raise(.breakerTripped(queue: queue.name, reason: "second"))
        second.raise(.breakerTripped(queue: queue.name, reason: "third"))
        #expect(second.finish())
        #expect(recorder.runs("breaker_tripped").map(\.details) == [["reason": "first"], ["reason": "other queue"]])
        #expect(recorder.runs("breaker_reset").count == 1, "another kind is not held back")

        usleep(2_100_000)
        let third = runner(recorder, interval: .seconds(2), redis: redis)
        third.raise(.breakerTripped(queue: queue.name, reason: "fourth"))
        #expect(third.finish())
        let tripped = recorder.runs("breaker_tripped").filter { $0.queue == queue.name.rawValue }
        #expect(tripped.map(\.details) == [["reason": "first"], ["reason": "fourth"]])
        #expect(tripped.map(\.suppressed) == [0, 2], "the two suppressed within the interval are counted in the next")
    }

    @Test func withoutRedisTheSameKindIsDeduplicatedByTheProcessItself() throws {
        let queue = try TestRedis.queue()
        let recorder = try AlertRecorder()
        // Nothing listens on port 1: every Redis call fails at once.
        let alerts = runner(recorder, interval: .seconds(600), redis: try RedisConfiguration(url: "redis://127.0.0.1:1/0"))
        for reason in ["a", "b", "c"] { alerts.raise(.breakerTripped(queue: queue.name, reason: reason)) }
        alerts.raise(.emergencyStop(queue: nil, by: "ops@host", reason: "units only", complete: true, units: ["x.service"]))
        #expect(alerts.finish())
        #expect(recorder.runs("breaker_tripped").map(\.details) == [["reason": "a"]])
        let stop = try #require(recorder.runs("emergency_stop").first)
        #expect(stop.event["queue"] is NSNull, "an event about no queue has queue null")
    }

    @Test func aHangingCommandIsKilledAfterItsTimeoutWithoutHoldingUpTheCallerAndTheNextAlertIsDelivered() throws {
        let queue = try TestRedis.queue()
        let recorder = try AlertRecorder(.hang(seconds: 300))
        let alerts = runner(recorder, interval: .zero, timeout: .milliseconds(500), redis: queue.connection.configuration)
        let start = ContinuousClock.now
        alerts.raise(.breakerTripped(queue: queue.name, reason: "one"))
        alerts.raise(.breakerReset(queue: queue.name, reason: "one"))
        #expect(ContinuousClock.now - start < .milliseconds(100), "raise only queues")
        #expect(eventually(timeout: .seconds(5)) { recorder.runs().count == 2 }, "the second ran after the first was killed")
        #expect(alerts.finish())
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(processIDs(running: "sleep", withArguments: ["300"]).isEmpty, "each hanging command was killed")
    }

    @Test func finishGivesUpOnAHangingCommandAfterItsTimeoutAndKillsIt() throws {
        let queue = try TestRedis.queue()
        let recorder = try AlertRecorder(.hang(seconds: 301))
        var configuration = AlertRunner.Configuration(executable: recorder.path)
        configuration.timeout = .seconds(60)
        configuration.finishTimeout = .milliseconds(500)
        let alerts = AlertRunner(configuration: configuration, redis: queue.connection.configuration, logger: supervisorTestLogger)
        alerts.raise(.breakerTripped(queue: queue.name, reason: "one"))
        #expect(eventually(timeout: .seconds(5)) { recorder.runs().count == 1 })
        let start = ContinuousClock.now
        #expect(!alerts.finish())
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(eventually(timeout: .seconds(3)) { processIDs(running: "sleep", withArguments: ["301"]).isEmpty })
    }

    @Test func aFailingCommandIsLoggedAndTheNextAlertIsStillDelivered() throws {
        let queue = try TestRedis.queue()
        let recorder = try AlertRecorder(.fail)
        let alerts = runner(recorder, redis: queue.connection.configuration)
        alerts.raise(.breakerTripped(queue: queue.name, reason: "one"))
        alerts.raise(.breakerReset(queue: queue.name, reason: "one"))
        #expect(alerts.finish())
        #expect(recorder.runs().map(\.kind) == ["breaker_tripped", "breaker_reset"])
    }

    @Test func beyondTheMostPendingTheOldestAreDroppedAndCountedInTheNextDelivered() throws {
        let queue = try TestRedis.queue()
        let recorder = try AlertRecorder(.hang(seconds: 302))
        let alerts = runner(recorder, interval: .zero, timeout: .milliseconds(300), maxPending: 2, redis: queue.connection.configuration)
        alerts.raise(.breakerTripped(queue: queue.name, reason: "runs, and hangs"))
        #expect(eventually(timeout: .seconds(5)) { recorder.runs().count == 1 })
        for reason in ["dropped 1", "dropped 2", "kept 1", "kept 2"] { alerts.raise(.breakerReset(queue: queue.name, reason: reason)) }
        #expect(alerts.finish())
        let resets = recorder.runs("breaker_reset")
        #expect(resets.map(\.details) == [["reason": "kept 1"], ["reason": "kept 2"]])
        #expect(resets.map { $0.event["dropped"] as? Int } == [2, 0])
    }

    @Test func theCommandGetsNoRedisCredentialAndSecretsInTheEventAreMasked() throws {
        let queue = try TestRedis.queue()
        let canary = "alert-canary-\(UUID().uuidString.prefix(8))"
        let recorder = try AlertRecorder()
        var configuration = AlertRunner.Configuration(executable: recorder.path)
        configuration.environment = ProcessInfo.processInfo.environment.merging([
            "JOBQ_REDIS_URL": "redis://:\(canary)@127.0.0.1:6379/0", "REDIS_URL": "redis://:\(canary)@127.0.0.1:6379/0",
            "JOBQ_REDIS_PASSWORD": canary, "JOBQ_SENTINEL_PASSWORD": canary, "REDISCLI_AUTH": canary,
            "JOBQ_ALERT_WEBHOOK_URL": "https://hooks.example/T1",
        ]) { $1 }
        let alerts = AlertRunner(configuration: configuration, redis: queue.connection.configuration, logger: supervisorTestLogger)
        alerts.raise(.breakerTripped(queue: queue.name, reason: "cannot start the worker: worker --redis redis://:\(canary)@db:6379 --password \(canary)"))
        #expect(alerts.finish())
        let run = try #require(recorder.runs().first)
        #expect(!run.environment.contains(canary), "\(run.environment)")
        #expect(!run.input.contains(canary), "\(run.input)")
        #expect(!run.arguments.joined().contains(canary))
        #expect(run.environment.contains("JOBQ_ALERT_WEBHOOK_URL=https://hooks.example/T1"), "the command's own settings pass")
        #expect(run.details["reason"]?.contains("redis://:***@db:6379") == true, "\(run.details)")
    }
}
