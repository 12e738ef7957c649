import ArgumentParser
import Foundation
import JobQueue
import RedisClient
import Supervisor

struct DiagnoseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagnose",
        abstract: "Find what is wrong with this host, its Redis and its queues, most urgent first, with the commands that fix it.",
        discussion: """
        Checks load per CPU, pressure, memory, swap, disks (and Redis's data directory), duplicate workers, \
        systemd units that failed or restart in a loop; Redis's eviction policy, memory and persistence \
        (read with INFO and CONFIG GET: a user whose ACL denies them gets a warning naming the permissions); \
        every known queue's verdict. systemctl and df are found on PATH (skipped with a note when absent).

        Exit status: 0 nothing wrong, 1 warnings, 2 something critical.
        """
    )

    @OptionGroup var redis: RedisOptions
    @Flag(help: "Print the report as JSON.") var json = false
    @Option(help: ArgumentHelp("Read /proc and /sys below DIR instead of / (a recorded host).", valueName: "dir")) var root = "/"
    @Option(name: .customLong("worker-pattern"), help: ArgumentHelp("A substring that marks a command as a worker (repeatable; default: worker).", valueName: "text"))
    var workerPatterns: [String] = []

    func run() throws {
        let redisConfiguration: RedisConfiguration
        do {
            redisConfiguration = try redis.resolve(.reading)
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        var configuration = OperationsDiagnosis.Configuration()
        configuration.probe.root = root
        if !workerPatterns.isEmpty { configuration.host.workerPatterns = workerPatterns }
        let report = OperationsDiagnosis(redis: redisConfiguration, configuration: configuration).run()
        if json {
            try reportingErrors { print(try JSONText.encode(report)) }
        } else {
            print(report.renderText(), terminator: "")
        }
        if report.exitStatus != 0 { throw ExitCode(report.exitStatus) }
    }
}
