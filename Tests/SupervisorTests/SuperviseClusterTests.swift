import Foundation
import JobQueue
import JobqTestSupport
import Processes
import RedisClient
import Testing

/// `jobq supervise` against a three-master Redis Cluster: each supervisor is given another
/// master's address than the one its queue lives on.
@Suite(.serialized)
struct SuperviseClusterTests {
    @Test func supervisorsOfQueuesOnEveryMasterLaunchWorkersThatDrainThem() throws {
        let cluster = try RedisCluster()
        let names = try cluster.queueNamesOnEachNode()
        #expect(names.count == 3)
        let queues = try names.map { try Queue(name: $0, connection: RedisConnection(configuration: RedisConfiguration(url: cluster.url))) }
        for queue in queues { try enqueueExampleJobs(queue, count: 5) }

        let supervisors = try queues.enumerated().map { index, queue in
            var environment = ProcessInfo.processInfo.environment
            environment["JOBQ_REDIS_URL"] = cluster.nodes[(index + 1) % 3].url
            let arguments = ["supervise", queue.name.rawValue, "--tick", "100ms", "--max-load", "100", "--max-cpu-pressure", "100",
                             "--min-available", "1M", "--"] + exampleWorkerCommand(queue)
            return try ChildProcess.launch(LaunchOptions(
                executable: Binaries.path("jobq"), arguments: arguments, environment: environment,
                standardOutput: .captureTail(maxBytes: 64 * 1024), standardError: .captureTail(maxBytes: 64 * 1024)))
        }
        defer { for supervisor in supervisors { _ = supervisor.terminate(grace: .seconds(5)) } }

        for (queue, supervisor) in zip(queues, supervisors) {
            let drained = eventually(timeout: .seconds(20)) {
                guard let counts = try? queue.counts(), let exits = try? queue.workerExits() else { return false }
                return counts.waiting + counts.active + counts.delayed == 0 && exits.count == 1
            }
            #expect(drained, "\(queue.name): \(String(decoding: supervisor.standardErrorTail, as: UTF8.self))")
            let exit = try #require(try queue.workerExits().first)
            #expect(exit.exitStatus == 0 && !exit.crash)
            #expect(try queue.counts().dead == 0)
            #expect(try queue.stats().counters.total.processed == 5)
            #expect(eventually(timeout: .seconds(5)) { (try? queue.supervisorStatus().state) == .sleeping })
        }
    }
}
