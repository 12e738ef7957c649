import ArgumentParser
import Foundation
import JobQueue

struct BreakerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "breaker",
        abstract: "Show or reset the crash-loop breaker of a queue's supervisor.",
        discussion: """
        jobq breaker QUEUE shows it; jobq breaker reset QUEUE clears it, after which the supervisor may be \
        started again (systemctl restart ...). A supervisor exits with status 3 when the breaker trips.
        """,
        subcommands: [BreakerShowCommand.self, BreakerResetCommand.self],
        defaultSubcommand: BreakerShowCommand.self
    )
}

struct BreakerShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show the breaker and the supervisor's state."
    )

    @OptionGroup var redis: RedisOptions
    @Argument(help: "The queue's name.") var queue: String
    @Flag(help: "Print the supervisor hash as JSON.") var json = false

    func run() throws {
        try reportingErrors {
            let status = try redis.queue(queue, .reading).supervisorStatus()
            if json {
                print(try JSONText.encode(status))
                return
            }
            if status.breaker {
                let since = status.breakerAt.map { " at \(Timestamp.render($0))" } ?? ""
                print("breaker: TRIPPED\(since): \(status.breakerReason ?? "no reason recorded")")
                print("reset with: jobq breaker reset \(queue)")
            } else {
                print("breaker: not tripped")
            }
            if let state = status.state {
                let since = status.since.map { " since \(Timestamp.render($0))" } ?? ""
                let host = status.host.map { " on \($0)" } ?? ""
                print("supervisor: \(state.rawValue)\(since)\(host)\(status.detail.map { ": \($0)" } ?? "")")
            } else {
                print("supervisor: none has run")
            }
        }
    }
}

struct BreakerResetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Clear a tripped breaker so the supervisor may start again."
    )

    @OptionGroup var redis: RedisOptions
    @OptionGroup var eviction: EvictionOptions
    @OptionGroup var alerts: AlertOptions
    @Argument(help: "The queue's name.") var queue: String

    func run() throws {
        try reportingErrors {
            let handle = try redis.queue(queue, .writing(eviction))
            let reason = alerts.executable == nil ? nil : try handle.supervisorStatus().breakerReason
            if try handle.resetBreaker() {
                print("breaker of \(queue) reset; start its supervisor again")
                try alerts.deliver([.breakerReset(queue: handle.name, reason: reason)], source: "breaker reset", redis: handle.connection.configuration)
            } else {
                print("breaker of \(queue) was not tripped")
            }
        }
    }
}
