import Foundation
import Glibc
import JobQueue
import JobqTestSupport
import Processes
import RedisClient
@testable import Supervisor
import Testing

/// An OOM anywhere in a worker's cgroup is an OOM of the whole worker, on real cgroup v1 here
/// (which has no `memory.oom.group`), and is blamed on the job in hand.
@Suite(.serialized, .disabled(if: realCgroupV1SkipReason != nil, Comment(rawValue: realCgroupV1SkipReason ?? "")))
struct SuperviseOutOfMemoryTests {
    @Test func aChildOfTheWorkerRunningOutOfMemoryGetsTheWholeWorkerKilledAtOnce() throws {
        let queue = try TestRedis.queue()
        try enqueueExampleJobs(queue, count: 1)
        var configuration = fastSupervisorConfiguration()
        configuration.limits = CgroupLimits(memoryMax: 64 << 20, swapMax: 0, pidsMax: 64)
        configuration.backoff = Backoff(base: .seconds(5), cap: .seconds(5))
        // Were only the child killed, the shell would sleep on and exit 0 after 10 s.
        let command = ["/bin/sh", "-c", "/usr/bin/python3 -c 'b = b\"x\" * (200 << 20)'; sleep 10"]
        let running = SupervisorThread(Supervisor(queue: queue, command: command, configuration: configuration, logger: supervisorTestLogger))
        defer { running.stop() }

        #expect(eventually(timeout: .seconds(8)) { ((try? queue.workerExits()) ?? []).count == 1 })
        let exit = try #require(try queue.workerExits().first)
        #expect(exit.oom && exit.crash && exit.cause == "OOM")
        #expect(exit.signal == "SIGKILL", "the shell was killed too, not left to exit by itself")
        #expect(exit.runTimeMilliseconds < 5000, "killed within a tick of the OOM, not after the sleep: \(exit.runTimeMilliseconds) ms")
        #expect(exit.peakMemoryBytes.map { $0 <= 64 << 20 } == true)
        #expect(running.stop() != nil)
        #expect(leftoverCgroupDirectories(of: queue).isEmpty)
    }

    @Test func aJobThatRunsItsWorkerOutOfMemoryIsQuarantinedAsPoisonWhileGoodJobsCompleteAndTheBreakerHolds() throws {
        let queue = try TestRedis.queue()
        let name = queue.name.rawValue
        let scratch = NSTemporaryDirectory() + "/jobq-oom-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let log = scratch + "/ran.log"
        let script = scratch + "/job.sh"
        // One job per run: the one whose payload says "hog" allocates 1 GiB under the 64M cap; the
        // others log their id and succeed.
        try """
            #!/bin/sh
            message=$(cat)
            case "$message" in
              *'"hog"'*) exec /usr/bin/python3 -c 'b = b"x" * (1 << 30)' ;;
            esac
            echo "$JOBQ_JOB_ID" >> \(log)

            """.write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let poison = "poison-job"
        let good = try enqueueExampleJobs(queue, count: 5)
        try queue.enqueue(payload: #"{"hog":true}"#, options: EnqueueOptions(id: poison))
        let moreGood = try enqueueExampleJobs(queue, count: 5)

        let supervise = try JobqProcess([
            "supervise", name, "--memory", "64M", "--swap", "0", "--max-crashes", "3",
            "--max-load", "100", "--max-cpu-pressure", "100", "--min-available", "1M", "--tick", "100ms", "--backoff", "100ms..100ms",
            "--", Binaries.path("ingest-worker"), "--queue", name, "--idle-exit", "1s", "--", script,
        ])
        defer { _ = supervise.child.terminate(grace: .seconds(5)) }

        #expect(eventually(timeout: .seconds(15)) { settled(queue, dead: 1) }, "\(supervise.standardError)")
        // A later batch gets a worker of its own, which goes idle and exits 0: a clean exit.
        let later = try enqueueExampleJobs(queue, count: 3)
        #expect(eventually(timeout: .seconds(10)) {
            settled(queue, dead: 1) && (try? queue.workerExits().first?.exitStatus) == 0 && (try? queue.supervisorStatus().state) == .sleeping
        }, "\(supervise.standardError)")
        #expect(supervise.child.wait(timeout: .zero) == nil, "the supervisor goes on: \(supervise.standardError)")
        #expect(supervise.child.signal(SIGTERM))
        #expect(supervise.finish().termination == .exited(code: 0), "\(supervise.standardError)")

        let record = try #require(try queue.job(id: poison))
        #expect(record.state == .dead)
        #expect(record.deadReason == "poison: killed the worker 2 times (OOM)")
        let ran = (try String(contentsOfFile: log, encoding: .utf8)).split(separator: "\n").map(String.init)
        #expect(ran.sorted() == (good + moreGood + later).sorted(), "every good job ran once, the poison job never to its end")

        let exits = try queue.workerExits().reversed()
        let ooms = exits.filter(\.oom)
        #expect(ooms.map(\.jobs) == [[.init(id: poison, outcome: "requeued")], [.init(id: poison, outcome: "poison")]])
        #expect(ooms.allSatisfy { $0.crash && $0.cause == "OOM" && $0.signal == "SIGKILL" })
        let clean = exits.filter { !$0.oom }
        #expect(!clean.isEmpty)
        #expect(clean.allSatisfy { $0.exitStatus == 0 && !$0.crash && $0.cause == "exit status 0" }, "clean idle exits: \(clean)")
        #expect(exits.last.map { !$0.oom && !$0.crash } == true, "the idle exit after the OOMs is not an OOM")
        #expect(exits.count >= 3)
        #expect(!(try queue.supervisorStatus().breaker))
        #expect(leftoverCgroupDirectories(of: queue).isEmpty)
    }
}

/// Whether nothing of the queue waits, is delayed or runs, and it holds `dead` dead letters.
private func settled(_ queue: Queue, dead: Int) -> Bool {
    guard let counts = try? queue.counts() else { return false }
    return counts.waiting + counts.delayed + counts.active == 0 && counts.dead == dead
}
