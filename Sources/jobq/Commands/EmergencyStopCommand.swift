import ArgumentParser
import Foundation
import JobQueue
import Supervisor

struct EmergencyStopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emergency-stop",
        abstract: "Stop the bleeding, lose nothing: pause queues, stop their workers, stop units, end duplicate workers.",
        discussion: """
        Each queue is paused and its supervisor asked to stop its worker (SIGTERM, then SIGKILL after its \
        stop timeout); the jobs in hand go back to waiting. --unit stops systemd units (systemctl stop); \
        --kill-duplicates ends surplus duplicate worker processes by exact pid (as jobq diagnose lists them). \
        Then it waits (--wait) until no job of the queues is running and names any still held. What was done \
        is recorded in each queue's events (jobq stats). Undo with: jobq resume QUEUE (units are not restarted).

        Exit status: 0 stopped with no job in hand; 1 an error (Redis unreachable); 2 done, but a unit did \
        not stop, a process survived or jobs are still running.
        """
    )

    @OptionGroup var redis: RedisOptions
    @Argument(help: "Queue names.") var queues: [String] = []
    @Flag(help: "Stop every known queue.") var all = false
    @Option(name: .customLong("unit"), help: ArgumentHelp("A systemd unit to stop (repeatable).", valueName: "name")) var units: [String] = []
    @Flag(name: .customLong("kill-duplicates"), help: "End surplus duplicate worker processes (SIGTERM, then SIGKILL).") var killDuplicates = false
    @Option(name: .customLong("worker-pattern"), help: ArgumentHelp("A substring that marks a command as a worker, for --kill-duplicates (repeatable; default: worker).", valueName: "text"))
    var workerPatterns: [String] = []
    @Option(help: ArgumentHelp("How long to wait for jobs in hand to go back to waiting.", valueName: "duration")) var wait = "45s"
    @Option(help: ArgumentHelp("Why, recorded with the stop.", valueName: "text")) var reason = "emergency stop"
    @Flag(name: .customLong("dry-run"), help: "Print every action it would take and change nothing.") var dryRun = false
    @OptionGroup var alerts: AlertOptions

    func validate() throws {
        if all && !queues.isEmpty { throw ValidationError("give queue names or --all, not both") }
        if !all && queues.isEmpty && units.isEmpty && !killDuplicates {
            throw ValidationError("say what to stop: queue names, --all, --unit NAME or --kill-duplicates")
        }
        for queue in queues where (try? QueueName(queue)) == nil { throw ValidationError("'\(queue)' is not a valid queue name") }
        _ = try parseDuration(wait, option: "--wait")
    }

    func run() throws {
        var incomplete = false
        try reportingErrors {
            var configuration = EmergencyStop.Configuration()
            configuration.queues = try queues.map(QueueName.init)
            configuration.allQueues = all
            configuration.units = units
            configuration.killDuplicates = killDuplicates
            if !workerPatterns.isEmpty { configuration.workerPatterns = workerPatterns }
            configuration.wait = try parseDuration(wait, option: "--wait")
            configuration.reason = reason
            let connection = all || !queues.isEmpty ? try redis.connect(.incident) : nil
            let stop = EmergencyStop(connection: connection, configuration: configuration)
            let plan = try stop.plan()
            if dryRun {
                print("dry run: nothing was changed. The emergency stop would:")
                for action in plan.actions { print("  - \(action)") }
                return
            }
            print("emergency stop by \(configuration.by):")
            let outcome = try stop.execute(plan) { line in
                print("  \(line)")
                fflush(nil)
            }
            try alerts.deliver(
                AlertEvent.emergencyStops(plan, outcome, configuration: configuration), source: "emergency-stop",
                redis: connection?.configuration
            )
            if outcome.isComplete {
                print("stopped; nothing is lost.")
            } else {
                print("incomplete: \(outcome.problems.count) problem\(outcome.problems.count == 1 ? "" : "s") above; nothing is lost.")
                incomplete = true
            }
            if !plan.queues.isEmpty { print("resume with: jobq resume \(plan.queues.map(\.rawValue).joined(separator: " "))") }
            if !outcome.stoppedUnits.isEmpty {
                print("jobq resume does not start units: systemctl start \(outcome.stoppedUnits.joined(separator: " "))")
            }
        }
        if incomplete { throw ExitCode(2) }
    }
}
