import ArgumentParser
import Foundation
import Logging
import RedisClient
import Supervisor

/// `--alert-exec`, `--alert-interval` and `--alert-timeout`, taken by the commands that raise alerts.
struct AlertOptions: ParsableArguments {
    @Option(name: .customLong("alert-exec"), help: ArgumentHelp("Run this program (no shell) for each alert: the event kind as its argument, the event as JSON on stdin. See docs/alerts.md.", valueName: "path"))
    var executable: String?
    @Option(name: .customLong("alert-interval"), help: ArgumentHelp("The least time between two alerts of one kind for one queue; those in between are counted in the next.", valueName: "duration"))
    var interval = "10m"
    @Option(name: .customLong("alert-timeout"), help: ArgumentHelp("How long the alert program may run before it is killed.", valueName: "duration"))
    var timeout = "10s"

    func validate() throws {
        _ = try configuration(source: "jobq")
    }

    /// The alert runner's configuration, or `nil` without `--alert-exec`.
    /// - Throws: `ValidationError` for a program that cannot be run or a bad duration.
    func configuration(source: String) throws -> AlertRunner.Configuration? {
        guard let executable else { return nil }
        do {
            try Supervisor.checkWorkerCommand([executable])
        } catch {
            throw ValidationError("--alert-exec: \(error.message)")
        }
        var configuration = AlertRunner.Configuration(executable: executable)
        configuration.interval = try parseDuration(interval, option: "--alert-interval")
        configuration.timeout = try parseDuration(timeout, option: "--alert-timeout")
        guard configuration.timeout > .zero else { throw ValidationError("--alert-timeout must be longer than 0") }
        configuration.source = source
        return configuration
    }

    /// Delivers `events` through the alert program, if one was given, and waits for them (bounded
    /// by the runner's finish timeout); failures are logged on stderr, never thrown.
    func deliver(_ events: [AlertEvent], source: String, redis: RedisConfiguration?) throws {
        guard let configuration = try configuration(source: source), !events.isEmpty else { return }
        let runner = AlertRunner(configuration: configuration, redis: redis, logger: Logger(label: "jobq.alerts"))
        for event in events { runner.raise(event) }
        runner.finish()
    }
}
