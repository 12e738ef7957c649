import ArgumentParser
import Foundation
import Glibc
import HumanUnits
import JobQueue
import RedisClient
import Supervisor

struct SuperviseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "supervise",
        abstract: "Run a queue's worker: one at a time on all hosts, only when there is work, capped in a cgroup, with crash-loop protection.",
        discussion: """
        Usually: jobq supervise QUEUE -- ingest-worker --queue QUEUE --idle-exit 60s

        The supervisor also fires the queue's recurring schedules (jobq schedule; --no-schedules turns \
        this off). The worker gets JOBQ_WORKER_ID and JOBQ_REDIS_URL in its environment. A worker exit that is not \
        status 0, or an OOM kill, is a crash: the next launch backs off, and --max-crashes crashes within \
        --crash-window trip the breaker (stored in Redis; reset with: jobq breaker reset QUEUE).

        Exit status: 0 after SIGTERM/SIGINT; 1 on an error (such as a bad Redis URL); 3 when the \
        breaker tripped or was already tripped; 4 when workers cannot be capped (no usable cgroup: run as \
        root or as a systemd service with Delegate=yes, or pass --no-cgroup); 64 on bad usage; 78 when \
        Redis may evict keys (maxmemory-policy other than noeviction) and --allow-eviction was not given, \
        or the worker refused to run for that reason (it is not relaunched). --allow-eviction (or \
        JOBQ_ALLOW_EVICTION=1) is passed on to the workers as JOBQ_ALLOW_EVICTION=1. \
        A systemd unit should set RestartPreventExitStatus=3 4 78.

        --alert-exec PROGRAM is run (no shell) for a tripped breaker, a job quarantined as poison, an OOM kill, \
        a verdict that becomes CRASH LOOP, STUCK or BACKLOG and OK again, and Redis unreachable for \
        --alert-unreachable-after: the event kind as its argument, the event as JSON on stdin, without the \
        Redis credentials in its environment. The same kind for the queue alerts at most once per \
        --alert-interval (kept in Redis, across restarts). See docs/alerts.md.
        """
    )

    @OptionGroup var redis: RedisOptions
    @OptionGroup var eviction: EvictionOptions
    @Argument(help: "The queue to supervise.") var queue: String
    @Option(help: ArgumentHelp("CPU cap of the worker, in percent of one CPU.", valueName: "percent")) var cpu = "25%"
    @Option(help: ArgumentHelp("Memory cap of the worker, with a unit (256M, 1G; at least 16M).", valueName: "size")) var memory = "256M"
    @Option(help: ArgumentHelp("Swap the worker may use beyond its memory cap, with a unit (0, 512M).", valueName: "size")) var swap = "0"
    @Option(help: ArgumentHelp("Most processes and threads the worker may have.", valueName: "count")) var pids = 64
    @Option(name: .customLong("max-crashes"), help: "Crashes within --crash-window that trip the breaker.") var maxCrashes = 5
    @Option(name: .customLong("crash-window"), help: ArgumentHelp("The window crashes are counted in.", valueName: "duration")) var crashWindow = "10m"
    @Option(help: ArgumentHelp("Wait before relaunching after a crash: exponential with jitter, MIN..MAX.", valueName: "range")) var backoff = "1s..5m"
    @Option(name: .customLong("healthy-after"), help: ArgumentHelp("A worker that runs this long without crashing resets the backoff.", valueName: "duration")) var healthyAfter = "10m"
    @Option(name: .customLong("stop-timeout"), help: ArgumentHelp("How long a worker may take to exit after SIGTERM before it is killed.", valueName: "duration")) var stopTimeout = "30s"
    @Option(name: .customLong("max-load"), help: ArgumentHelp("Defer launches while the 1-minute load average per CPU is above this.", valueName: "load")) var maxLoad: Double = 1.5
    @Option(name: .customLong("max-cpu-pressure"), help: ArgumentHelp("Defer launches while CPU pressure (PSI some avg10, where the kernel has it) is above this percentage.", valueName: "percent")) var maxCPUPressure: Double = 40
    @Option(name: .customLong("min-available"), help: ArgumentHelp("Defer launches while less memory than this is available.", valueName: "size")) var minAvailable: String = "200M"
    @Option(help: ArgumentHelp("How often the queue is checked for work and stop requests.", valueName: "duration")) var tick = "1s"
    @Flag(name: .customLong("no-cgroup"), help: "Run workers without cgroup caps (rlimits only) when no cgroup can be used.") var noCgroup = false
    @Flag(name: .customLong("no-schedules"), help: "Do not fire the queue's recurring schedules (docs/schedules.md).") var noSchedules = false
    @OptionGroup var alerts: AlertOptions
    @Option(name: .customLong("alert-unreachable-after"), help: ArgumentHelp("With --alert-exec: alert when Redis stays unreachable this long.", valueName: "duration"))
    var alertUnreachableAfter = "1m"
    @Argument(parsing: .postTerminator, help: ArgumentHelp("The worker command, after --.", valueName: "command")) var command: [String] = []

    func validate() throws {
        _ = try makeConfiguration()
        if command.isEmpty {
            throw ValidationError("give the worker command after --, e.g. jobq supervise \(queue) -- ingest-worker --queue \(queue) --idle-exit 60s")
        }
        if (try? QueueName(queue)) == nil { throw ValidationError("'\(queue)' is not a valid queue name") }
        do {
            try Supervisor.checkWorkerCommand(command)
        } catch {
            throw ValidationError("the worker command cannot be started: \(error.message)")
        }
    }

    func run() throws {
        let configuration = try makeConfiguration()
        let supervisedQueue: Queue
        do {
            supervisedQueue = try redis.lazyQueue(queue, .writing(eviction))
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        let supervisor = Supervisor(queue: supervisedQueue, command: command, configuration: configuration)
        let signals = ShutdownSignals { signal in
            supervisor.stop(reason: "received \(signal == SIGINT ? "SIGINT" : "SIGTERM")")
        }
        defer { signals.cancel() }
        do {
            let reason = try supervisor.run()
            if reason.exitStatus != 0 {
                printError(reason.description)
                throw ExitCode(reason.exitStatus)
            }
        } catch let error as SupervisorError {
            printError(error.message)
            switch error.code {
            case .noCgroup: throw ExitCode(Supervisor.ExitReason.noCgroupExitStatus)
            case .evictionPolicy: throw ExitCode(Supervisor.ExitReason.evictionRefusedExitStatus)
            default: throw ExitCode(1)
            }
        }
    }

    /// The supervisor's configuration from the options and the environment (systemd's variables).
    func makeConfiguration() throws -> Supervisor.Configuration {
        var configuration = Supervisor.Configuration()
        let memoryMax = try Self.capSize(memory, option: "--memory", minimum: CgroupLimits.minimumMemoryMax)
        let swapMax = try Self.capSize(swap, option: "--swap", minimum: 0)
        do {
            configuration.limits = CgroupLimits(
                cpuQuota: try CPUShareText.parse(cpu), memoryMax: memoryMax, swapMax: swapMax, pidsMax: UInt64(exactly: pids)
            )
            let range = try DurationRangeText.parse(backoff)
            configuration.backoff = Backoff(base: range.min, cap: range.max)
            configuration.minAvailableMemory = try ByteSizeText.parse(minAvailable)
        } catch {
            throw ValidationError(error.description)
        }
        guard pids >= 1 else { throw ValidationError("--pids must be at least 1") }
        guard maxCrashes >= 1 else { throw ValidationError("--max-crashes must be at least 1") }
        if !(maxLoad > 0 && maxLoad.isFinite) { throw ValidationError("--max-load must be a number above 0, e.g. 1.5") }
        if !(0...100).contains(maxCPUPressure) { throw ValidationError("--max-cpu-pressure must be a percentage from 0 to 100") }
        configuration.maxCrashes = maxCrashes
        configuration.crashWindow = try positiveDuration(crashWindow, option: "--crash-window")
        configuration.healthyAfter = try positiveDuration(healthyAfter, option: "--healthy-after")
        configuration.stopTimeout = try parseDuration(stopTimeout, option: "--stop-timeout")
        configuration.tickInterval = try positiveDuration(tick, option: "--tick")
        configuration.useCgroups = !noCgroup
        if noSchedules { configuration.scheduler = nil }
        configuration.alerts = try alerts.configuration(source: "supervise")
        configuration.redisUnreachableAlertAfter = try positiveDuration(alertUnreachableAfter, option: "--alert-unreachable-after")
        configuration.maxLoad = maxLoad
        configuration.admission = HostAdmission(configuration: HostAdmission.Configuration(
            maxLoadPerCPU: maxLoad, maxCPUPressureAvg10: maxCPUPressure,
            minAvailableMemory: configuration.minAvailableMemory ?? 0)).launchCheck()
        let environment = ProcessInfo.processInfo.environment
        configuration.notifySocket = environment["NOTIFY_SOCKET"]
        configuration.watchdogInterval = SystemdNotifier.watchdogInterval(environment: environment)
        return configuration
    }

    /// Reads a `--memory` or `--swap` cap. A unit is required (`B` for bytes): a bare number is
    /// bytes, and `--memory 10` meant as 10M would cap the worker at nothing. A bare `0` is allowed
    /// where `minimum` is 0.
    /// - Throws: `ValidationError` saying what was read and how to write it.
    static func capSize(_ text: String, option: String, minimum: UInt64) throws(ValidationError) -> UInt64 {
        let bytes: UInt64
        do {
            bytes = try ByteSizeText.parse(text)
        } catch {
            throw ValidationError(error.description)
        }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let hasUnit = trimmed.last.map { !$0.isNumber && $0 != "." } ?? false
        if !hasUnit && !(bytes == 0 && minimum == 0) {
            throw ValidationError(
                "\(option) \(trimmed) has no unit and would be \(bytes) bytes: write the unit, e.g. \(trimmed)M or \(trimmed)G "
                    + "(K, M, G, T are powers of 1024; \(trimmed)B if bytes are meant)"
            )
        }
        if bytes < minimum {
            throw ValidationError(
                "\(option) \(trimmed) is \(bytes) bytes, below the minimum of \(ByteSizeText.format(minimum)): "
                    + "a worker capped that low cannot start; give at least \(ByteSizeText.format(minimum)), e.g. 256M"
            )
        }
        return bytes
    }

    private func positiveDuration(_ text: String, option: String) throws -> Duration {
        let duration = try parseDuration(text, option: option)
        guard duration > .zero else { throw ValidationError("\(option) must be longer than 0") }
        return duration
    }
}
