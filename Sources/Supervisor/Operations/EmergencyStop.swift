import Foundation
import HumanUnits
import JobQueue
import RedisClient

/// `jobq emergency-stop`: stops the bleeding without losing work.
///
/// For each queue: pause it (no job is handed out on any host) and set the stop request, so its
/// supervisor stops its worker (SIGTERM, then SIGKILL after its stop timeout) and puts the jobs in
/// hand back. Then, if asked, stop systemd units and end surplus duplicate worker processes by
/// exact pid. Then wait, bounded, until no job of the queues is running, name the jobs still held
/// and by whom, and record what was done in each queue's events list.
///
/// ``plan()`` only reads; ``execute(_:progress:)`` acts. Synchronous and blocking: call it from a
/// dedicated thread, never from async code.
public struct EmergencyStop: Sendable {
    /// What to stop and how long to wait; every field has a default.
    public struct Configuration: Sendable {
        /// Queues to pause and stop. Default: none.
        public var queues: [QueueName] = []
        /// Also every known queue (`Queue.knownNames`: the registry and every waiting list). Default: `false`.
        public var allQueues = false
        /// systemd units to stop with `systemctl stop`. Default: none.
        public var units: [String] = []
        /// End surplus duplicate worker processes (`HostDiagnosis.workerGroups(in:)`). Default: `false`.
        public var killDuplicates = false
        /// Case-insensitive substrings that mark a command as a worker, for `killDuplicates`.
        /// Default: `["worker"]`.
        public var workerPatterns = ["worker"]
        /// How long to wait for the queues' jobs in hand to go back: a supervisor's stop timeout
        /// (30 s by default) and a margin. Default: 45 s.
        public var wait: Duration = .seconds(45)
        /// How long an ended process has after SIGTERM before SIGKILL. Default: 10 s.
        public var killGrace: Duration = .seconds(10)
        /// How long `systemctl stop` may take per unit. Default: 120 s.
        public var unitStopTimeout: Duration = .seconds(120)
        /// Colon-separated directories searched for `systemctl`. Default: this process's `PATH`.
        public var searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        /// Who stops, recorded with the stop request and the event. Default: ``OperatorIdentity/current``.
        public var by = OperatorIdentity.current
        /// Why, recorded with the stop request and the event. Default: `emergency stop`.
        public var reason = "emergency stop"
        /// How often the queues are checked while waiting. Default: 200 ms.
        public var pollInterval: Duration = .milliseconds(200)

        /// The defaults.
        public init() {}
    }

    /// The Redis connection; needed only when queues are stopped.
    public let connection: RedisConnection?
    /// What to stop.
    public let configuration: Configuration

    /// Creates an emergency stop. `connection` may be `nil` when only units and processes are stopped.
    public init(connection: RedisConnection?, configuration: Configuration) {
        self.connection = connection
        self.configuration = configuration
    }

    /// Resolves what will be done: the queues (`--all`: every queue `Queue.knownNames` finds), the duplicate
    /// worker processes found now, and one line per action. Changes nothing.
    /// - Throws: ``JobQueue/JobQueueError`` when the queues cannot be read; an `invalidState`
    ///   error when queues are asked for without a connection.
    public func plan() throws -> Plan {
        var queues = configuration.queues
        if configuration.allQueues || !queues.isEmpty {
            guard let connection else {
                throw JobQueueError(code: .invalidState, message: "stopping queues needs a Redis connection")
            }
            if configuration.allQueues { queues += try Queue.knownNames(on: connection) }
        }
        var seen = Set<QueueName>()
        queues = queues.filter { seen.insert($0).inserted }
        let duplicates = configuration.killDuplicates ? surplusWorkers() : []
        var actions: [String] = []
        if let connection, !queues.isEmpty {
            for stats in try QueueStats.read(queues, on: connection) {
                actions.append("pause \(stats.queue): no job is handed out on any host (now \(stats.jobs.waiting) waiting, \(stats.jobs.active) running)")
                actions.append("request a stop of \(stats.queue)'s supervisor (now: \(stats.supervisor.state.rawValue)): it stops its worker (SIGTERM, then SIGKILL after its stop timeout)")
            }
        }
        actions += configuration.units.map { "systemctl stop \($0)" }
        if configuration.killDuplicates {
            actions += duplicates.isEmpty
                ? ["end duplicate worker processes: none found"]
                : duplicates.map { "end pid \($0.pid) (SIGTERM, SIGKILL after \(DurationText.format(configuration.killGrace))): \($0.commandLine)" }
        }
        if !queues.isEmpty {
            actions.append("wait up to \(DurationText.format(configuration.wait)) until no job of \(queues.map(\.rawValue).joined(separator: ", ")) is running (jobs in hand go back to waiting)")
            actions.append("record the stop in each queue's events (shown by jobq stats)")
        }
        return Plan(queues: queues, units: configuration.units, duplicates: duplicates, actions: actions)
    }

    /// Carries out a plan, reporting each step as it is done.
    /// - Parameter progress: called with one line per step done or problem met.
    /// - Throws: ``JobQueue/JobQueueError`` when Redis fails while pausing or stopping queues.
    public func execute(_ plan: Plan, progress: (String) -> Void = { _ in }) throws -> Outcome {
        var outcome = Outcome(done: [], problems: [], stoppedUnits: [], stillRunning: [])
        func done(_ line: String) { outcome.done.append(line); progress(line) }
        func problem(_ line: String) { outcome.problems.append(line); progress(line) }
        let queues = try plan.queues.map { name -> Queue in
            guard let connection else { throw JobQueueError(code: .invalidState, message: "stopping queues needs a Redis connection") }
            return Queue(name: name, connection: connection)
        }
        for queue in queues {
            try queue.pause()
            done("paused \(queue.name)")
            try queue.requestStop(by: configuration.by, reason: configuration.reason)
            done("requested a stop of \(queue.name)'s supervisor")
        }
        for unit in plan.units {
            switch stopUnit(unit) {
            case nil:
                outcome.stoppedUnits.append(unit)
                done("stopped unit \(unit)")
            case let failure?:
                problem(failure)
            }
        }
        var endedProcesses: [String] = []
        if !plan.duplicates.isEmpty {
            let results = ProcessTermination(grace: configuration.killGrace).terminate(plan.duplicates)
            for (process, result) in zip(plan.duplicates, results) {
                switch result {
                case .terminated, .killed, .alreadyGone:
                    let how = result == .killed ? "killed (SIGKILL)" : result == .terminated ? "ended (SIGTERM)" : "already gone"
                    endedProcesses.append("pid \(process.pid) \(how)")
                    done("pid \(process.pid) \(how): \(process.commandLine)")
                case .replaced:
                    problem("pid \(process.pid) now runs another program: left alone")
                case .failed(let reason):
                    problem("pid \(process.pid) could not be ended: \(reason)")
                }
            }
        }
        if !queues.isEmpty {
            progress("waiting up to \(DurationText.format(configuration.wait)) for the jobs in hand to go back to waiting")
            outcome.stillRunning = try waitForJobsInHand(queues)
            if outcome.stillRunning.isEmpty {
                done("no job of \(queues.map(\.name.rawValue).joined(separator: ", ")) is running: every job in hand is back in waiting")
            } else {
                for held in outcome.stillRunning {
                    problem("still running in \(held.queue): \(held.job.summary); it is not lost: acked when done, or back in waiting when its lease expires")
                }
            }
        }
        for queue in queues {
            let inHand = outcome.stillRunning.filter { $0.queue == queue.name.rawValue }.count
            var steps = ["paused", "stop requested"] + outcome.stoppedUnits.map { "stopped unit \($0)" } + endedProcesses
            steps.append(inHand == 0 ? "no job left running" : "\(inHand) job\(inHand == 1 ? "" : "s") still running")
            try queue.recordEvent(OperatorEvent(by: configuration.by, action: .emergencyStop, reason: configuration.reason, steps: steps, units: outcome.stoppedUnits))
        }
        return outcome
    }

    /// Polls until no job of the queues runs and no supervisor of theirs still runs a worker, or
    /// the wait ends; returns the jobs still running.
    private func waitForJobsInHand(_ queues: [Queue]) throws -> [Outcome.JobInHand] {
        guard let connection else { return [] }
        let names = queues.map(\.name)
        let deadline = ContinuousClock.now + configuration.wait
        while true {
            let stats = try QueueStats.read(names, on: connection)
            let busy = stats.filter { $0.jobs.active > 0 || $0.supervisor.state == .running }
            if busy.isEmpty { return [] }
            if ContinuousClock.now >= deadline {
                return try queues.flatMap { queue in
                    try queue.activeJobs().map { Outcome.JobInHand(queue: queue.name.rawValue, job: $0) }
                }
            }
            Thread.sleep(forTimeInterval: configuration.pollInterval.seconds)
        }
    }

    /// Runs `systemctl stop UNIT`; `nil` when it stopped, else the problem.
    private func stopUnit(_ unit: String) -> String? {
        let runner = CommandRunner(searchPath: configuration.searchPath, timeout: configuration.unitStopTimeout)
        guard let systemctl = runner.locate("systemctl") else {
            return "systemctl was not found on PATH: stop \(unit) by hand"
        }
        do {
            let output = try runner.run(systemctl, ["stop", unit])
            guard output.status == 0 else {
                let reason = output.standardError.split(separator: "\n").first.map(String.init) ?? "exit status \(output.status)"
                return "systemctl stop \(unit) failed: \(reason)"
            }
            return nil
        } catch {
            return "systemctl stop \(unit) failed: \(error.description)"
        }
    }

    /// The surplus duplicate worker processes on this host now.
    private func surplusWorkers() -> [ProcessSample] {
        let snapshot = HostProbe(configuration: .init(searchPath: configuration.searchPath, diskPaths: [])).snapshot(.processes)
        let diagnosis = HostDiagnosis(configuration: .init(workerPatterns: configuration.workerPatterns))
        let surplus = Set(diagnosis.workerGroups(in: snapshot).surplusPIDs)
        return snapshot.processes.filter { surplus.contains($0.pid) }
    }
}
