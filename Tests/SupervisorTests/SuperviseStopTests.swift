import Foundation
import Glibc
import JobQueue
import JobqTestSupport
import RedisClient
@testable import Supervisor
import Testing

/// Stopping: SIGTERM to the supervisor, a stop request stored in Redis, a lost supervisor lock.
/// The job in hand is never lost and nothing is left running.
@Suite(.serialized)
struct SuperviseStopTests {
    @Test func sigtermMidJobStopsTheWorkerLosesNoJobAndLeavesNoProcessOrCgroup() throws {
        let queue = try TestRedis.queue()
        let name = queue.name.rawValue
        let jobID = try enqueueExampleJobs(queue, count: 1)[0]
        let supervisor = try JobqProcess(["supervise", name, "--tick", "100ms", "--max-load", "100", "--max-cpu-pressure", "100", "--min-available", "1M", "--"] + exampleWorkerCommand(queue, jobMilliseconds: 3000))
        defer { _ = supervisor.child.terminate(grace: .seconds(5)) }
        #expect(eventually(timeout: .seconds(5)) { (try? queue.job(id: jobID))?.state == .active })

        supervisor.child.signal(SIGTERM)
        let exit = supervisor.finish(timeout: .seconds(10))
        #expect(exit.isSuccess, "\(exit): \(supervisor.standardError)")
        let job = try queue.job(id: jobID)
        #expect(job == nil || job?.state == .waiting, "the job completed or waits again: \(String(describing: job?.state))")
        #expect(job?.crashes ?? 0 == 0, "a stop is not the job's fault")
        #expect(exampleWorkers(of: queue).isEmpty)
        #expect(leftoverCgroupDirectories(of: queue).isEmpty)
        let status = try queue.supervisorStatus()
        #expect(status.state == .stopped && status.detail == "received SIGTERM" && status.workerPID == nil)
        #expect(try queue.locks().isEmpty, "the supervisor lock was released")
    }

    @Test func aStopRequestInRedisStopsTheWorkerAndHoldsLaunchesUntilCleared() throws {
        let queue = try TestRedis.queue()
        let log = NSTemporaryDirectory() + "/jobq-stop-\(UUID().uuidString).log"
        defer { unlink(log) }
        let ids = try enqueueExampleJobs(queue, count: 8)
        let supervisor = Supervisor(
            queue: queue, command: exampleWorkerCommand(queue, jobMilliseconds: 300, log: log),
            configuration: fastSupervisorConfiguration(), logger: supervisorTestLogger
        )
        let running = SupervisorThread(supervisor)
        defer { running.stop() }
        #expect(eventually(timeout: .seconds(5)) { !exampleWorkers(of: queue).isEmpty })

        try queue.requestStop(by: "ops@test", reason: "maintenance")
        #expect(try queue.stopRequest()?.summary == "stop requested by ops@test: maintenance")
        #expect(eventually(timeout: .seconds(5)) { (try? queue.supervisorStatus().state) == .stopped })
        #expect(try queue.supervisorStatus().detail == "stop requested by ops@test: maintenance")
        #expect(exampleWorkers(of: queue).isEmpty)
        let launches = try queue.workerExits().count
        usleep(1_000_000)  // ten ticks
        #expect(try queue.workerExits().count == launches, "nothing launched while the request is set")
        #expect(exampleWorkers(of: queue).isEmpty)
        let counts = try queue.counts()
        #expect(counts.active == 0 && counts.waiting > 0)

        #expect(try queue.clearStopRequest())
        #expect(try queue.stopRequest() == nil)
        #expect(eventually(timeout: .seconds(10)) { (try? queue.counts()).map { $0.waiting + $0.active + $0.dead } == 0 })
        let completed = Set((try String(contentsOfFile: log, encoding: .utf8)).split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) })
        #expect(completed == Set(ids), "no job lost")
        #expect(try queue.workerExits().allSatisfy { !$0.crash })
    }

    @Test func losingTheSupervisorLockStopsTheWorkerAndStandsByUntilItIsFree() throws {
        let queue = try TestRedis.queue()
        try enqueueExampleJobs(queue, count: 6)
        let supervisor = Supervisor(
            queue: queue, command: exampleWorkerCommand(queue, jobMilliseconds: 300),
            configuration: fastSupervisorConfiguration(), logger: supervisorTestLogger
        )
        let running = SupervisorThread(supervisor)
        defer { running.stop() }
        #expect(eventually(timeout: .seconds(5)) { !exampleWorkers(of: queue).isEmpty })

        // Someone else holds the lock now (as after a network partition longer than its TTL).
        try queue.connection.command(["DEL", RedisArgument(queue.keys.lock("supervisor"))])
        let intruder = DistributedLock(queue: queue, name: "supervisor", ttl: .seconds(30), holder: "intruder/1")
        let lease = try #require(try intruder.tryAcquire())
        #expect(eventually(timeout: .seconds(5)) { supervisor.state == .standby })
        #expect(exampleWorkers(of: queue).isEmpty, "the worker was stopped")
        #expect(try queue.supervisorStatus().standby?.hasSuffix("/\(getpid())") == true)
        let counts = try queue.counts()
        #expect(counts.active == 0)

        try intruder.release(lease)
        #expect(eventually(timeout: .seconds(10)) { (try? queue.counts()).map { $0.waiting + $0.active } == 0 })
        #expect(try queue.workerExits().allSatisfy { !$0.crash })
    }
}
