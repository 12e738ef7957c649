/// Worker processes that should not all be running: copies of one worker, or different workers
/// competing for the same small host. `jobq emergency-stop --kill-duplicates` kills `surplusPIDs`.
public struct WorkerGroup: Sendable, Equatable {
    /// Why these processes belong together.
    public enum Kind: String, Sendable, Equatable {
        /// Several independent processes run the same worker command.
        case sameCommand
        /// Several different worker commands run side by side.
        case differentWorkers
    }

    /// One worker process in a group.
    public struct Member: Sendable, Equatable {
        /// The process as sampled.
        public var process: ProcessSample
        /// What it runs, with interpreter and wrappers stripped (`rivet_worker.py`).
        public var identity: String

        /// Creates a member.
        public init(process: ProcessSample, identity: String) {
            self.process = process
            self.identity = identity
        }
    }

    /// Why these processes belong together.
    public var kind: Kind
    /// The processes, in pid order.
    public var members: [Member]
    /// The members that can be killed without losing the worker that should stay: for copies of one
    /// worker, all but the one a systemd service runs (else the oldest); for different workers, those
    /// started outside any systemd service, provided at least one member runs under a service.
    /// Empty when the evidence does not say which process is surplus.
    public var surplusPIDs: [Int32]

    /// Creates a group.
    public init(kind: Kind, members: [Member], surplusPIDs: [Int32]) {
        self.kind = kind
        self.members = members
        self.surplusPIDs = surplusPIDs
    }
}

extension Array where Element == WorkerGroup {
    /// Every surplus pid across the groups, each once, in ascending order.
    public var surplusPIDs: [Int32] {
        Set(flatMap(\.surplusPIDs)).sorted()
    }
}

extension HostDiagnosis {
    /// Finds groups of worker processes that should not all be running.
    ///
    /// A process counts as a worker when its command identity contains one of
    /// `Configuration.workerPatterns` (case-insensitive). Ignored: kernel threads, zombies, the
    /// process that took the snapshot and its ancestors, and processes that belong to another
    /// process's tree: a child with the same kernel command name as its parent (nginx or gunicorn
    /// workers under their master, pool children) or with the same identity as an ancestor
    /// (`python worker.py` under `poetry run python worker.py`).
    public func workerGroups(in snapshot: HostSnapshot) -> [WorkerGroup] {
        let byPID = Dictionary(snapshot.processes.map { ($0.pid, $0) }, uniquingKeysWith: { first, _ in first })
        let observerLineage = Set(ancestry(of: snapshot.observerPID, in: byPID))
        let patterns = configuration.workerPatterns.map { $0.lowercased() }.filter { !$0.isEmpty }
        let workers: [WorkerGroup.Member] = snapshot.processes.compactMap { process in
            guard !process.hasNoCommandLine, process.state != "Z", !observerLineage.contains(process.pid) else {
                return nil
            }
            let identity = CommandIdentity.of(process.arguments)
            let lowered = identity.lowercased()
            guard patterns.contains(where: lowered.contains) else { return nil }
            guard !isForkedCopy(process, identity: identity, byPID: byPID) else { return nil }
            return WorkerGroup.Member(process: process, identity: identity)
        }.sorted { $0.process.pid < $1.process.pid }
        var groups: [WorkerGroup] = []
        let byIdentity = Dictionary(grouping: workers, by: \.identity)
        for identity in byIdentity.keys.sorted() {
            guard let copies = byIdentity[identity], copies.count > 1 else { continue }
            let keeper = copies.max { Self.keepsLessThan($0.process, $1.process) }
            groups.append(WorkerGroup(
                kind: .sameCommand, members: copies,
                surplusPIDs: copies.map(\.process.pid).filter { $0 != keeper?.process.pid }
            ))
        }
        if byIdentity.count > 1 {
            let managed = workers.contains { $0.process.isInSystemdService }
            groups.append(WorkerGroup(
                kind: .differentWorkers, members: workers,
                surplusPIDs: managed ? workers.filter { !$0.process.isInSystemdService }.map(\.process.pid) : []
            ))
        }
        return groups
    }

    /// Orders candidates for keeping: a process run by a systemd service beats one that is not, then
    /// the longer-running one, then the lower pid.
    private static func keepsLessThan(_ left: ProcessSample, _ right: ProcessSample) -> Bool {
        if left.isInSystemdService != right.isInSystemdService { return right.isInSystemdService }
        if left.runningSeconds != right.runningSeconds { return left.runningSeconds < right.runningSeconds }
        return left.pid > right.pid
    }

    /// Whether the process is part of another worker's process tree rather than a worker of its own.
    private func isForkedCopy(_ process: ProcessSample, identity: String, byPID: [Int32: ProcessSample]) -> Bool {
        if let parent = byPID[process.parentPID], parent.name == process.name { return true }
        return ancestry(of: process.parentPID, in: byPID).contains { pid in
            byPID[pid].map { !$0.hasNoCommandLine && CommandIdentity.of($0.arguments) == identity } ?? false
        }
    }

    /// The pid and its ancestors' pids, nearest first, stopping at unknown pids and cycles.
    private func ancestry(of pid: Int32?, in byPID: [Int32: ProcessSample]) -> [Int32] {
        var lineage: [Int32] = []
        var current = pid
        while let pid = current, let process = byPID[pid], !lineage.contains(pid) {
            lineage.append(pid)
            current = process.parentPID
        }
        return lineage
    }
}
