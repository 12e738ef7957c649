import Foundation
import Glibc
import JobQueue
import JobqTestSupport
@testable import Supervisor
import Testing

/// A supervisor that dies without stopping its worker (`SIGKILL`) takes the worker with it, even
/// without a cgroup to find it by: the worker has `SIGKILL` as its parent-death signal.
@Suite(.serialized)
struct SuperviseParentDeathTests {
    @Test func aSupervisorKilledWithSIGKILLUnderNoCgroupTakesItsWorkerWithIt() throws {
        let queue = try TestRedis.queue()
        let name = queue.name.rawValue
        let jobID = try enqueueExampleJobs(queue, count: 1)[0]
        let supervise = try JobqProcess([
            "supervise", name, "--no-cgroup", "--memory", "4G", "--tick", "100ms",
            "--max-load", "100", "--max-cpu-pressure", "100", "--min-available", "1M", "--",
        ] + exampleWorkerCommand(queue, jobMilliseconds: 60_000, idleExit: 60))
        defer {
            _ = supervise.child.terminate(grace: .seconds(1))
            for worker in exampleWorkers(of: queue) { kill(worker, SIGKILL) }
        }
        #expect(eventually(timeout: .seconds(10)) { (try? queue.job(id: jobID))?.state == .active }, "\(supervise.standardError)")
        try #require(exampleWorkers(of: queue).count == 1, "\(supervise.standardError)")

        #expect(supervise.child.signal(SIGKILL))
        #expect(supervise.finish(timeout: .seconds(5)).termination == .signaled(signal: SIGKILL, coreDumped: false))
        #expect(eventually(timeout: .seconds(3)) { exampleWorkers(of: queue).isEmpty }, "the worker went with its supervisor")
    }
}
