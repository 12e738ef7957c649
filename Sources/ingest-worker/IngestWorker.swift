import ArgumentParser
import Foundation
import HumanUnits
import Ingestion
import JobQueue
import Logging
import RedisClient

@main
struct IngestWorker: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest-worker",
        abstract: "Run the jobs of one queue, one at a time: built-in handlers, or a command per job.",
        discussion: """
        Without a command, jobs are dispatched by type: noop, ingest.file, ingest.dir; any other type \
        is dead-lettered with reason "unknown type". With -- COMMAND ARGS..., every job runs that command; \
        with --persistent the command is started once and gets the jobs as JSON lines on stdin, answering \
        each with a JSON line on stdout (see docs/worker.md).

        Exit status: 0 after --idle-exit (time waiting for an unreachable Redis counts), --max-jobs or \
        a graceful stop (SIGTERM/SIGINT); 1 on a fatal error (such as bad Redis credentials or a command \
        that does not exist); 64 on bad usage (options, queue name, Redis URL); 78 when Redis may evict \
        keys (maxmemory-policy other than noeviction) and --allow-eviction was not given; 130 after a second SIGINT.
        """
    )

    /// Why the worker stopped, as its last log line says it.
    private static let stopText: [Worker.StopReason: String] = [
        .idle: "nothing to do for --idle-exit", .maxJobs: "--max-jobs jobs done", .requested: "asked to stop",
    ]

    @Option(help: "The queue to take jobs from.") var queue: String
    @Option(name: .customLong("idle-exit"), help: "Exit 0 after this long with nothing to do (e.g. 60s).") var idleExit: String?
    @Option(name: .customLong("max-jobs"), help: "Exit 0 after this many jobs.") var maxJobs: Int?
    @Option(help: "Lease up to this many jobs in one call and run them in turn (1 to 1000; raise it for short jobs, keep 1 for long ones).")
    var prefetch: Int = 1
    @Option(name: .customLong("job-timeout"), help: "Stop a job after this long and fail it (e.g. 10m).") var jobTimeout: String?
    @Option(help: "Lease length: a job not extended within it goes to another worker.") var lease: String = "30s"
    @Option(name: .customLong("stop-grace"), help: "On SIGTERM, how long the running job may finish.") var stopGrace: String = "30s"
    @Option(name: .customLong("kill-grace"), help: "For a command: time between SIGTERM and SIGKILL when a run is stopped.") var killGrace: String = "10s"
    @Option(name: .customLong("tempfail-delay"), help: "For a command: when it exits 75, how long until the job is retried.") var tempfailDelay: String = "30s"
    @Option(help: ArgumentHelp("Redis URL (else JOBQ_REDIS_URL, REDIS_URL, redis://127.0.0.1:6379/0).", valueName: "url")) var redis: String?
    @Option(name: .customLong("pass-env"), help: ArgumentHelp("For a command: hand this variable of the worker's environment to every job (repeatable).", valueName: "name"))
    var passEnv: [String] = []
    @Flag(name: .customLong("clean-env"), help: "For a command: start jobs from an empty environment (plus --pass-env and the JOBQ_* job variables).")
    var cleanEnv = false
    @Flag(name: .customLong("allow-eviction"), help: "Run even though Redis may evict keys (maxmemory-policy other than noeviction), accepting that jobs can be lost. Also JOBQ_ALLOW_EVICTION=1.")
    var allowEviction = false
    @Flag(name: .customLong("pass-redis-url"), help: "For a command: give every job JOBQ_REDIS_URL, password included (the job then holds the credential).")
    var passRedisURL = false
    @Flag(help: "For a command: start it once and send it every job as a JSON line on stdin; it answers each with a JSON line on stdout.")
    var persistent = false
    @Option(name: .customLong("max-jobs-per-process"), help: "With --persistent: replace the command's process after this many jobs.")
    var maxJobsPerProcess: Int?
    @Argument(parsing: .postTerminator, help: ArgumentHelp("A command to run for every job: the job's JSON on stdin; exit 0 done, 75 retry later, else failed.", valueName: "command"))
    var command: [String] = []

    func validate() throws {
        if let maxJobs, maxJobs < 1 { throw ValidationError("--max-jobs must be at least 1") }
        if !(1...1000).contains(prefetch) { throw ValidationError("--prefetch must be from 1 to 1000") }
        let durations = [
            ("--idle-exit", idleExit), ("--job-timeout", jobTimeout), ("--lease", lease), ("--stop-grace", stopGrace),
            ("--kill-grace", killGrace), ("--tempfail-delay", tempfailDelay),
        ]
        for case let (name, value?) in durations {
            do {
                _ = try DurationText.parse(value)
            } catch {
                throw ValidationError("\(name): \(error)")
            }
        }
        if let leaseValue = try? DurationText.parse(lease), leaseValue < .seconds(1) { throw ValidationError("--lease must be at least 1s") }
        if command.isEmpty && (!passEnv.isEmpty || cleanEnv || passRedisURL) {
            throw ValidationError("--pass-env, --clean-env and --pass-redis-url shape a command's environment: give the command after --")
        }
        if command.isEmpty && persistent { throw ValidationError("--persistent keeps a command running: give the command after --") }
        if let maxJobsPerProcess {
            if !persistent { throw ValidationError("--max-jobs-per-process needs --persistent") }
            if maxJobsPerProcess < 1 { throw ValidationError("--max-jobs-per-process must be at least 1") }
        }
    }

    func run() throws {
        StandardErrorLogging.bootstrap()
        let environment = ProcessInfo.processInfo.environment
        if let warning = RedisConfiguration.commandLinePasswordWarning(explicitURL: redis) { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        do {
            var queueConfiguration = Queue.Configuration()
            queueConfiguration.lease = try DurationText.parse(lease)
            // Opened on first use: a worker started before Redis waits for it with backoff.
            var redisConfiguration = try RedisConfiguration.resolve(explicitURL: redis)
            if allowEviction { redisConfiguration.evictionCheck = .warn }
            let connection = RedisConnection(openingLazily: redisConfiguration)
            let queue = Queue(name: try QueueName(self.queue), connection: connection, configuration: queueConfiguration)
            var configuration = Worker.Configuration()
            configuration.consumerID = environment["JOBQ_WORKER_ID"].flatMap { $0.isEmpty ? nil : $0 }
            configuration.idleExit = try idleExit.map(DurationText.parse)
            configuration.maxJobs = maxJobs
            configuration.prefetch = prefetch
            configuration.jobTimeout = try jobTimeout.map(DurationText.parse)
            configuration.shutdownGrace = try DurationText.parse(stopGrace)
            configuration.registryInfo = ["command": command.isEmpty ? "ingest-worker" : command.joined(separator: " ")]
            let handler: Worker.Handler
            var stopHandler: () -> Void = {}
            if command.isEmpty {
                let dispatcher = JobDispatcher.builtIn(queue: queue)
                handler = { context in try dispatcher.handle(context) }
            } else {
                var commandConfiguration = CommandHandler.Configuration(command: command)
                commandConfiguration.stopGrace = try DurationText.parse(killGrace)
                commandConfiguration.retryLaterDelay = try DurationText.parse(tempfailDelay)
                commandConfiguration.cleanEnvironment = cleanEnv
                commandConfiguration.passedVariables = passEnv
                commandConfiguration.redisURL = passRedisURL ? connection.configuration.urlWithSecret : nil
                if persistent {
                    var persistence = PersistentCommand.Configuration()
                    persistence.maxJobsPerProcess = maxJobsPerProcess
                    commandConfiguration.persistent = persistence
                }
                let commandHandler = try CommandHandler(configuration: commandConfiguration)
                handler = { context in commandHandler.handle(context) }
                stopHandler = commandHandler.stop
            }
            let worker = Worker(queue: queue, configuration: configuration, handler: handler)
            let signals = ShutdownSignals { _ in worker.stop() }
            defer { signals.cancel() }
            defer { stopHandler() }
            let reason = try worker.run()
            Logger(label: "ingest-worker").info("stopped: \(Self.stopText[reason] ?? reason.rawValue)")
        } catch let error as any (Error & CustomStringConvertible) {
            FileHandle.standardError.write(Data("ingest-worker: \(error.description)\n".utf8))
            throw ExitCode(Self.exitStatus(for: error))
        }
    }

    /// 64 for bad usage, 78 for a Redis that may evict keys (refused), else 1.
    private static func exitStatus(for error: any Error) -> Int32 {
        if isUsage(error) { return ExitCode.validationFailure.rawValue }
        return JobQueueError.evictionRefusalExitStatus(for: error) ?? 1
    }

    /// Whether an error is bad usage (exit status 64): an invalid queue name or Redis URL.
    private static func isUsage(_ error: any Error) -> Bool {
        switch error {
        case let error as RedisError: error.code == .invalidConfiguration
        case let error as JobQueueError: error.code == .invalidQueueName || error.redisError?.code == .invalidConfiguration
        default: false
        }
    }
}
