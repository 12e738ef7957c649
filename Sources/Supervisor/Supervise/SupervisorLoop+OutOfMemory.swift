import Processes

extension SupervisorLoop {
    /// Kills the whole worker at once when it ran out of memory during this run, as cgroup v2's
    /// `memory.oom.group` = 1 would have; checked on every tick while a worker runs.
    ///
    /// On cgroup v1 the kernel's OOM killer is held back in worker cgroups
    /// once the worker runs
    /// (``WorkerSandbox/holdBackKernelOOMKiller(in:)``), so a worker at its memory cap stalls rather
    /// than losing one process: the worker cannot see a child die and report the job as an
    /// ordinary failure, and the job is still in hand when the supervisor kills everything. A stall
    /// waits for the next tick without harm, so reading one small file per tick suffices; an
    /// eventfd on `memory.oom_control` would react sooner but cost a thread and a descriptor per
    /// worker for nothing. On v2, `memory.oom.group` makes the kernel kill the whole worker
    /// itself, and this check only matters where that file is missing: there the kernel kills one
    /// process, and the supervisor the rest within a tick.
    ///
    /// - Returns: the worker's exit when it was killed for running out of memory; `nil` when it
    ///   has not run out of memory.
    func killIfOutOfMemory(_ worker: RunningWorker) -> ProcessExit? {
        guard let what = worker.oomWatch?.check() else { return nil }
        logger.error("worker \(worker.child.pid) (\(worker.id)) ran out of memory: \(what); killing all its processes")
        worker.killEverything()
        return worker.child.wait()
    }

    /// The worker's exit if it exited by itself, else its exit once killed for running out of
    /// memory (`true` with it); `nil` while it runs with memory to spare.
    func exitOrOutOfMemoryKill(of worker: RunningWorker) -> (exit: ProcessExit, killedOutOfMemory: Bool)? {
        if let exit = worker.child.wait(timeout: .zero) { return (exit, false) }
        return killIfOutOfMemory(worker).map { ($0, true) }
    }
}
