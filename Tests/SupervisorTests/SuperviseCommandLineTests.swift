import Foundation
import JobQueue
import JobqTestSupport
import Testing

/// `jobq supervise` refuses bad options before touching Redis or cgroups, with exit status 64.
struct SuperviseCommandLineTests {
    @Test(arguments: [
        (["--memory", "12X"], "'12X' is not a size"),
        (["--cpu", "0%"], "'0%' is not a CPU share"),
        (["--backoff", "5m..1s"], "the minimum must be above 0 and not above the maximum"),
        (["--crash-window", "soon"], "--crash-window"),
        (["--max-crashes", "0"], "--max-crashes must be at least 1"),
        (["--min-available", "lots"], "'lots' is not a size"),
    ])
    func badOptionsExitWithUsageStatus64(options: [String], message: String) throws {
        let run = try runJobq(["supervise", "some-queue"] + options + ["--", "/bin/true"])
        #expect(run.exit.termination == .exited(code: 64))
        #expect(run.error.contains(message), "\(run.error)")
    }

    @Test(arguments: [
        (["--memory", "10"], "--memory 10 has no unit and would be 10 bytes: write the unit, e.g. 10M or 10G"),
        (["--memory", "10B"], "--memory 10B is 10 bytes, below the minimum of 16M"),
        (["--memory", "8M"], "--memory 8M is 8388608 bytes, below the minimum of 16M"),
        (["--swap", "512"], "--swap 512 has no unit and would be 512 bytes"),
    ])
    func aMemoryCapWithoutAUnitOrBelowTheMinimumIsRefusedSayingWhatWasReadAndHowToWriteIt(options: [String], message: String) throws {
        let run = try runJobq(["supervise", "some-queue"] + options + ["--", "/bin/true"])
        #expect(run.exit.termination == .exited(code: 64))
        #expect(run.error.contains(message), "\(run.error)")
    }

    @Test func aZeroSwapNeedsNoUnit() throws {
        // Refused for the missing worker command, not for --swap 0.
        let run = try runJobq(["supervise", "some-queue", "--swap", "0"])
        #expect(run.exit.termination == .exited(code: 64))
        #expect(run.error.contains("give the worker command after --"), "\(run.error)")
    }

    @Test func aMissingWorkerCommandIsAUsageError() throws {
        let run = try runJobq(["supervise", "some-queue"])
        #expect(run.exit.termination == .exited(code: 64))
        #expect(run.error.contains("give the worker command after --"))
    }

    @Test func aWorkerExecutableThatDoesNotExistIsRefusedAtStart() throws {
        let missing = try runJobq(["supervise", "some-queue", "--", "/nonexistent/jobq-worker", "--queue", "some-queue"])
        #expect(missing.exit.termination == .exited(code: 64))
        #expect(missing.error.contains("the worker command cannot be started: /nonexistent/jobq-worker does not exist"), "\(missing.error)")
        let notOnPath = try runJobq(["supervise", "some-queue", "--", "no-such-worker-\(UUID().uuidString.prefix(6))"])
        #expect(notOnPath.exit.termination == .exited(code: 64))
        #expect(notOnPath.error.contains("not found in PATH"), "\(notOnPath.error)")
    }

    @Test func aWorkerFileWithoutExecutePermissionIsRefusedAtStart() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-not-executable-\(UUID().uuidString.prefix(6))")
        try "#!/bin/sh\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let run = try runJobq(["supervise", "some-queue", "--", file.path])
        #expect(run.exit.termination == .exited(code: 64))
        #expect(run.error.contains("\(file.path) is not executable (chmod +x it)"), "\(run.error)")
    }
}
