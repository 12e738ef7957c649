import Dispatch
import Foundation
import HumanUnits
import Logging
import Processes
import RedisClient
import Synchronization

/// Runs jobs through one long-lived child: the command is started once and gets one JSON line per
/// job on its stdin, answering with one JSON line on its stdout (``PersistentProtocol``;
/// `docs/worker.md` specifies it).
///
/// The child's environment is the one a per-job command gets (no Redis credentials, see
/// ``CommandHandler``) without the per-job variables, plus `JOBQ_QUEUE` and `JOBQ_PROGRESS_FD`:
/// descriptor 3 takes progress lines as for a per-job command, attributed to the job in hand.
/// Its stderr goes to the worker's stderr (the log); its end is kept with a job the child fails by
/// dying. It runs in a process group of its own and gets SIGKILL if the worker dies.
///
/// A child that dies, is stopped (job timeout, shutdown, lost lease), writes a line that is not a
/// response, a response naming another job (an extra or late answer), or a line longer than
/// ``Configuration/maxResponseBytes``, fails the job in hand as a per-job command that failed
/// would (an attempt counted, retried with backoff, dead-lettered after the last), and is replaced for the next job after ``Configuration/restartBackoff``. After
/// ``Configuration/maxJobsPerProcess`` jobs the child is recycled: its stdin is closed, it gets
/// ``CommandHandler/Configuration/stopGrace`` to exit, then its group is killed.
///
/// ``handle(_:)`` blocks the calling thread, which must be the worker loop's thread (the one that
/// runs ``Worker/run()``): the child's parent-death signal is tied to it.
public final class PersistentCommand: Sendable {
    /// How the long-lived child is kept.
    public struct Configuration: Sendable {
        /// Replace the child after this many jobs; `nil` keeps it as long as it works. Default: `nil`.
        public var maxJobsPerProcess: Int?
        /// The longest response line accepted, newline not counted. Default: 64 KiB.
        public var maxResponseBytes: Int = 64 * 1024
        /// Waits before starting a child again after one died, hung or wrote garbage; reset by
        /// every valid response. Default: 500 ms doubling to 30 s.
        public var restartBackoff = Backoff(base: .milliseconds(500), cap: .seconds(30))

        /// The defaults.
        public init() {}
    }

    /// The child in hand and what is known about it.
    private struct Running: Sendable {
        var process: ChildProcess
        var channel: LineChannel
        /// Descriptor 3: progress lines, read only for the job in hand.
        var progress: DrainedPipe
        var jobs = 0
    }

    /// State of the keeper; only the worker's thread changes it.
    private struct State: Sendable {
        var child: Running?
        var backoff: Backoff
        /// The last child ended badly: wait a backoff before the next start.
        var restartDue = false
    }

    private let command: CommandHandler.Configuration
    private let configuration: Configuration
    private let state: Mutex<State>
    private let logger = Logger(label: "jobq.command")

    /// Keeps a child of `command` as `configuration` says; nothing starts before the first job.
    public init(command: CommandHandler.Configuration, persistence configuration: Configuration) {
        self.command = command
        self.configuration = configuration
        self.state = Mutex(State(backoff: configuration.restartBackoff))
    }

    /// Sends one job to the child (started first if need be) and waits for its response.
    public func handle(_ context: JobContext) -> JobResult {
        let request: [UInt8]
        do {
            request = try PersistentProtocol.request(for: context.job, queue: context.queue)
        } catch {
            return .failedPermanently(reason: (error as? JobQueueError)?.message ?? "malformed: \(error)")
        }
        return state.withLock { state in run(request, context, &state) }
    }

    /// Stops the child, if any: closes its stdin, gives it ``CommandHandler/Configuration/stopGrace``
    /// to exit, then kills its group. Call it once the worker's loop has returned.
    public func stop() {
        state.withLock { state in
            if var child = state.child {
                retire(&child, why: "the worker is stopping")
                state.child = nil
            }
        }
    }

    private func run(_ request: [UInt8], _ context: JobContext, _ state: inout State) -> JobResult {
        var child: Running
        switch startedChild(&state, context) {
        case .success(let running): child = running
        case .failure(let failure): return failure.result
        }
        var exchange = converse(request, &child, context)
        // Claiming the race as answered disarms this exchange's stop (it would otherwise signal a
        // process group already reaped) and tells a cancelled run, which must not start again.
        if exchange.answer == nil && child.jobs > 0 && exchange.race.answerFirst() {
            // The request found no reader: the process was gone before it arrived, which is not
            // this job's fault. Once more, with a new process.
            logger.warning("\(name) (pid \(child.process.pid)) exited between jobs; starting a new one")
            discard(&child)
            state.child = nil
            state.restartDue = true
            switch startedChild(&state, context) {
            case .success(let running): child = running
            case .failure(let failure): return failure.result
            }
            exchange = converse(request, &child, context)
        }
        return finish(exchange.answer ?? .endOfFile, &child, context, &state, race: exchange.race)
    }

    /// Sends the request and reads the answer, stopping the child if the run is cancelled meanwhile.
    /// - Returns: the answer, `nil` when the request could not be written (no reader), and the race
    ///   between the answer and a cancellation.
    private func converse(_ request: [UInt8], _ child: inout Running, _ context: JobContext) -> (answer: LineChannel.Read?, race: AnswerRace) {
        // The previous job's progress was written before its response, so it is in the pipe now.
        child.progress.reset()
        let process = child.process, progress = child.progress
        context.readProgress { JobProgress.lastLine(of: progress.snapshot()) }
        let grace = command.stopGrace
        let race = AnswerRace()
        context.onCancel { _ in
            // Tear down on a thread of its own; a blocked write or read below then ends.
            // A child that has already answered is left alone: it is fine and keeps its next job.
            if race.cancelFirst() { Thread { _ = process.terminate(grace: grace) }.start() }
        }
        guard child.channel.send(request) else { return (nil, race) }
        return (child.channel.readLine(maxBytes: configuration.maxResponseBytes) { process.wait(timeout: .zero) == nil }, race)
    }

    /// Settles the job with what the child answered and keeps, recycles or replaces the child.
    private func finish(_ answer: LineChannel.Read, _ child: inout Running, _ context: JobContext, _ state: inout State, race: AnswerRace) -> JobResult {
        let outcome = settle(answer, &child, context)
        if outcome.keepChild && race.answerFirst() {
            child.jobs += 1
            state.backoff.reset()
            if let limit = configuration.maxJobsPerProcess, child.jobs >= limit {
                retire(&child, why: "it ran \(child.jobs) jobs (--max-jobs-per-process)")
                state.child = nil
            } else {
                state.child = child
            }
        } else {
            discard(&child)
            state.child = nil
            state.restartDue = true
        }
        return outcome.result
    }

    /// Why no child could be had for a job.
    private struct NoChild: Error {
        var result: JobResult
    }

    /// The child to send the job to: the one in hand if it is still fine, else a new one, started
    /// after the restart backoff when the last one ended badly.
    private func startedChild(_ state: inout State, _ context: JobContext) -> Result<Running, NoChild> {
        if var child = state.child, child.channel.hasUnreadOutput || child.process.wait(timeout: .zero) != nil {
            logger.warning("\(name) (pid \(child.process.pid)) exited or wrote out of turn between jobs; starting a new one")
            discard(&child)
            state.child = nil
            state.restartDue = true
        }
        if let child = state.child { return .success(child) }
        if state.restartDue, let stopped = waitBeforeRestart(&state, context) {
            return .failure(NoChild(result: .failed("\(name): not started again: stopped (\(stopped.rawValue))")))
        }
        do {
            let child = try launch(context)
            state.child = child
            state.restartDue = false
            return .success(child)
        } catch {
            state.restartDue = true
            return .failure(NoChild(result: .failed("could not start \(name): \(error.message)")))
        }
    }

    /// Maps what the child answered to the job's result, and whether the child may run more jobs.
    private func settle(_ answer: LineChannel.Read, _ child: inout Running, _ context: JobContext) -> (result: JobResult, keepChild: Bool) {
        let stopped = context.cancellationReason.map { " (stopped: \($0.rawValue))" } ?? ""
        switch answer {
        case .line(let line):
            guard let response = PersistentProtocol.response(from: line, retryDelay: command.retryLaterDelay) else {
                return (.failed("\(name): wrote a line that is not a response: \(PersistentProtocol.excerpt(line))"), false)
            }
            guard response.id == context.job.id else {
                // An extra or late answer to an earlier job: the child is out of step, and this
                // job's own answer is still to come, so it cannot be settled by this line.
                return (.failed("\(name): answered job \(PersistentProtocol.excerpt(Array(response.id.utf8))) while job \(context.job.id) was in hand"), false)
            }
            if let text = response.resultText { context.setResult(text) }
            return (response.result, true)
        case .tooLong:
            return (.failed("\(name): wrote a response line longer than \(configuration.maxResponseBytes) bytes"), false)
        case .endOfFile, .gaveUp:
            // The child died, closed its stdout, or is being stopped: wait for its end (or end it).
            let exit = child.process.wait(timeout: .seconds(1)) ?? child.process.terminate(grace: command.stopGrace)
            let status = "\(name): \(exit.description) before answering\(stopped)"
            return (.failed(CommandHandler.failure(status, stderr: child.process.standardErrorTail, configuration: command)), false)
        }
    }

    /// Starts the child.
    private func launch(_ context: JobContext) throws(ProcessError) -> Running {
        var channel = try LineChannel.open()
        defer { channel.closeChildEnds() }
        let progress: DrainedPipe
        do {
            progress = try DrainedPipe(maxBytes: CommandHandler.progressTailBytes)
        } catch {
            channel.close()
            throw error
        }
        defer { progress.closeChildEnd() }
        var environment = CommandHandler.baseEnvironment(command)
        environment["JOBQ_QUEUE"] = context.queue.rawValue
        environment["JOBQ_PROGRESS_FD"] = String(CommandHandler.progressDescriptor)
        let options = LaunchOptions(
            executable: command.command[0], arguments: Array(command.command.dropFirst()), environment: environment,
            standardInput: .fileDescriptor(channel.childInput), standardOutput: .fileDescriptor(channel.childOutput),
            standardError: .captureTailAndInherit(maxBytes: command.stderrTailBytes),
            extraDescriptors: [progress.childEnd], newProcessGroup: true, parentDeathSignal: SIGKILL)
        do {
            let process = try ChildProcess.launch(options)
            logger.info("started \(name) (pid \(process.pid)) to run jobs one after another")
            return Running(process: process, channel: channel, progress: progress)
        } catch {
            channel.close()
            progress.close()
            throw error
        }
    }

    /// Waits the restart backoff, cut short when the run is cancelled.
    /// - Returns: why the run was cancelled, or `nil` when the wait ran out.
    private func waitBeforeRestart(_ state: inout State, _ context: JobContext) -> JobContext.CancellationReason? {
        let delay = state.backoff.next()
        logger.info("starting \(name) again in \(DurationText.format(delay))")
        let cancelled = DispatchSemaphore(value: 0)
        context.onCancel { _ in cancelled.signal() }
        _ = cancelled.wait(timeout: .now() + delay.seconds)
        return context.cancellationReason
    }

    /// Ends a child that is done: stdin closed, the grace to exit, then its group killed.
    private func retire(_ child: inout Running, why: String) {
        child.channel.closeInput()
        let exit = child.process.wait(timeout: command.stopGrace) ?? child.process.terminate(grace: .zero)
        child.process.signalGroup(SIGKILL)
        child.channel.close()
        child.progress.close()
        logger.info("stopped \(name) (pid \(child.process.pid)): \(why); \(exit.description)")
    }

    /// Ends a child that cannot be trusted with another job: its group gets SIGTERM, then SIGKILL.
    private func discard(_ child: inout Running) {
        child.channel.closeInput()
        _ = child.process.terminate(grace: command.stopGrace)
        child.channel.close()
        child.progress.close()
    }

    private var name: String { command.command[0] }
}

/// Decides, once, whether a run's answer or its cancellation came first: a child stopped by the
/// cancellation is not kept, and a child that answered first is not stopped.
private final class AnswerRace: Sendable {
    private let winner = Mutex<Bool?>(nil)

    /// True when the cancellation came first (the child is to be stopped).
    func cancelFirst() -> Bool { claim(cancelled: true) }

    /// True when the answer came first (the child may be kept).
    func answerFirst() -> Bool { !claim(cancelled: false) }

    /// Records the first claim; returns whether the cancellation won.
    private func claim(cancelled: Bool) -> Bool {
        winner.withLock { winner in
            if winner == nil { winner = cancelled }
            return winner!
        }
    }
}
