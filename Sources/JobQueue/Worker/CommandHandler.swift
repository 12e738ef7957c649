import Foundation
import Processes
import RedisClient

/// Runs each job as a child process: the user's own script, one process per job, or with
/// ``Configuration/persistent`` one long-lived process fed the jobs as lines (``PersistentCommand``).
///
/// Contract with a command run per job (see `docs/worker.md`):
/// - stdin: the job's message, a JSON object with `payload` (and `id`, `type`, ...), then end of file;
/// - environment: the worker's without every variable that carries a Redis credential
///   (``RedisConfiguration/credentialVariables``) and without `JOBQ_WORKER_ID`, or with
///   ``Configuration/cleanEnvironment`` nothing but the variables named in
///   ``Configuration/passedVariables``; then `JOBQ_JOB_ID`, `JOBQ_QUEUE`, `JOBQ_JOB_TYPE`,
///   `JOBQ_ATTEMPT`, `JOBQ_MAX_ATTEMPTS`, `JOBQ_FENCING_TOKEN` when a lock guards the run,
///   `JOBQ_REDIS_URL` only when ``Configuration/redisURL`` is set, `JOBQ_PROGRESS_FD` and
///   `JOBQ_RESULT_FD`;
/// - descriptor 3 (`JOBQ_PROGRESS_FD`): a pipe for progress, one report a line (``JobProgress/parse(line:)``);
///   the last complete line is saved with the job at most once a second;
/// - descriptor 4 (`JOBQ_RESULT_FD`): a pipe for the run's result; the last 4 KiB written to it
///   are kept with the job when it completes (where the queue keeps a history);
/// - argv: exactly the configured command; nothing from the payload is ever put in a shell string;
/// - exit 0 acks the job; exit 75 (EX_TEMPFAIL) puts it back for later without counting an
///   attempt; any other status, or death by a signal, fails it (retry with backoff, then dead
///   letter), keeping the status and the last 4 KiB of the child's stderr with the job.
///
/// The child runs in its own process group. When the run is cancelled (job timeout, shutdown, lost
/// lease) the group gets SIGTERM, then SIGKILL after ``Configuration/stopGrace``.
public struct CommandHandler: Sendable {
    /// How commands are run.
    public struct Configuration: Sendable {
        /// The program and its arguments, as given after `--`.
        public var command: [String]
        /// Time between SIGTERM and SIGKILL when a run is cancelled. Default: 10 s.
        public var stopGrace: Duration = .seconds(10)
        /// When an exit 75 puts the job back, how long until it is due again. Default: 30 s.
        public var retryLaterDelay: Duration = .seconds(30)
        /// How much of the end of the child's stderr is kept with a failed job. Default: 4096 bytes.
        public var stderrTailBytes: Int = 4096
        /// The worker's environment, the base of every child's. Default: this process's.
        public var environment: [String: String] = ProcessInfo.processInfo.environment
        /// Start children from an empty environment instead of ``environment``. Default: false.
        public var cleanEnvironment = false
        /// Variables of ``environment`` every child gets by name, also with ``cleanEnvironment``.
        /// A credential variable cannot be named: use ``redisURL``. Default: none.
        public var passedVariables: [String] = []
        /// A Redis URL, password included, given to every child as `JOBQ_REDIS_URL`, for commands
        /// that must reach Redis themselves: the child (and anything that can read its environment)
        /// then holds the credential. Default: `nil`, none.
        public var redisURL: String?
        /// Start the command once and send it jobs as JSON lines (``PersistentCommand``) instead of
        /// starting it for every job. Default: `nil`, one process per job.
        public var persistent: PersistentCommand.Configuration?

        /// Runs `command` with the defaults.
        public init(command: [String]) {
            self.command = command
        }
    }

    /// Exit status that means "try again later" (sysexits EX_TEMPFAIL).
    public static let retryLaterStatus: Int32 = 75
    /// The descriptor a command writes progress lines to (`JOBQ_PROGRESS_FD`).
    public static let progressDescriptor = 3
    /// The descriptor a command writes its result to (`JOBQ_RESULT_FD`).
    public static let resultDescriptor = 4
    /// The pipes a command gets beyond its standard streams, as descriptors 3 and 4: progress
    /// (read for its last line) and the result.
    /// The result pipe keeps more than is stored, so credentials are masked before the cut.
    static let extraOutputTails = [progressTailBytes, Consumer.resultReadBytes]
    /// How much of the end of the progress pipe is kept: room for its last line.
    static let progressTailBytes = 1024

    /// Variables never inherited by a child: Redis credentials, and the worker's own consumer id.
    static let withheldVariables: Set<String> = RedisConfiguration.credentialVariables.union(["JOBQ_WORKER_ID"])

    /// The configuration in use.
    public let configuration: Configuration
    /// The long-lived child's keeper when ``Configuration/persistent`` is set.
    private let persistentCommand: PersistentCommand?

    /// Checks that the command can be found, so a worker with a typo fails at start, not per job.
    /// - Throws: ``ProcessError`` naming the missing or non-executable program, or a passed
    ///   variable that carries a credential.
    public init(configuration: Configuration) throws {
        guard let program = configuration.command.first else {
            throw ProcessError(code: .invalidArgument, message: "no command given after --")
        }
        if let secret = configuration.passedVariables.first(where: Self.withheldVariables.contains) {
            throw ProcessError(
                code: .invalidArgument,
                message: "\(secret) is not passed to job commands: it carries a Redis credential (a command that needs Redis gets JOBQ_REDIS_URL with --pass-redis-url)")
        }
        _ = try ExecutableLookup.resolveExisting(program, searchPath: configuration.environment["PATH"] ?? ExecutableLookup.defaultSearchPath)
        self.configuration = configuration
        self.persistentCommand = configuration.persistent.map { PersistentCommand(command: configuration, persistence: $0) }
    }

    /// Runs one job: through the long-lived child when ``Configuration/persistent`` is set, else
    /// in a process of its own whose exit is mapped to a result.
    public func handle(_ context: JobContext) -> JobResult {
        if let persistentCommand { return persistentCommand.handle(context) }
        let job = context.job
        let options = LaunchOptions(
            executable: configuration.command[0], arguments: Array(configuration.command.dropFirst()),
            environment: environment(for: context), standardInput: .bytes(job.body),
            standardError: .captureTail(maxBytes: configuration.stderrTailBytes), extraOutputTails: Self.extraOutputTails,
            newProcessGroup: true)
        let child: ChildProcess
        do {
            child = try ChildProcess.launch(options)
        } catch {
            return .failed("could not start \(configuration.command[0]): \(error.message)")
        }
        context.readProgress { JobProgress.lastLine(of: child.extraOutputTail(Self.progressDescriptor - 3)) }
        let grace = configuration.stopGrace
        context.onCancel { _ in
            // Tear down on a thread of its own; this handler keeps waiting for the exit below.
            Thread { _ = child.terminate(grace: grace) }.start()
        }
        let exit = child.wait()
        let result = String(decoding: child.extraOutputTail(Self.resultDescriptor - 3), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if !result.isEmpty { context.setResult(result) }
        return self.result(of: exit, stderr: child.standardErrorTail, cancellation: context.cancellationReason)
    }

    /// Stops the long-lived child, if there is one, the way ``PersistentCommand/stop()`` does:
    /// call it once the worker's loop has returned. Nothing to do for a process per job.
    public func stop() {
        persistentCommand?.stop()
    }

    /// The environment every child starts from: the worker's without credentials (or an empty one),
    /// the passed variables, and `JOBQ_REDIS_URL` only when configured.
    static func baseEnvironment(_ configuration: Configuration) -> [String: String] {
        var environment = configuration.cleanEnvironment ? [:] : configuration.environment.filter { !withheldVariables.contains($0.key) }
        for name in configuration.passedVariables { environment[name] = configuration.environment[name] }
        if let url = configuration.redisURL { environment["JOBQ_REDIS_URL"] = url }
        return environment
    }

    /// The environment of one job's process.
    func environment(for context: JobContext) -> [String: String] {
        let job = context.job
        var environment = Self.baseEnvironment(configuration)
        environment["JOBQ_JOB_ID"] = job.id
        environment["JOBQ_QUEUE"] = context.queue.rawValue
        environment["JOBQ_JOB_TYPE"] = job.type
        environment["JOBQ_ATTEMPT"] = String(job.attempt)
        environment["JOBQ_MAX_ATTEMPTS"] = String(job.maxAttempts)
        if let fencing = job.fencingToken { environment["JOBQ_FENCING_TOKEN"] = String(fencing) }
        environment["JOBQ_PROGRESS_FD"] = String(Self.progressDescriptor)
        environment["JOBQ_RESULT_FD"] = String(Self.resultDescriptor)
        return environment
    }

    func result(of exit: ProcessExit, stderr: [UInt8], cancellation: JobContext.CancellationReason?) -> JobResult {
        if case .exited(let code) = exit.termination {
            if code == 0 { return .completed }
            if code == Self.retryLaterStatus { return .retryLater(after: configuration.retryLaterDelay) }
        }
        var status = "\(configuration.command[0]): \(exit.description)"
        if let cancellation { status += " (stopped: \(cancellation.rawValue))" }
        return .failed(Self.failure(status, stderr: stderr, configuration: configuration))
    }

    /// A failed run's error text: the status line first and the end of the child's stderr after
    /// it, the whole within ``Configuration/stderrTailBytes``.
    static func failure(_ status: String, stderr: [UInt8], configuration: Configuration) -> String {
        let tail = String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !tail.isEmpty else { return status }
        let room = max(0, configuration.stderrTailBytes - status.utf8.count - 1)
        return status + "\n" + String(decoding: tail.utf8.suffix(room), as: UTF8.self)
    }
}
