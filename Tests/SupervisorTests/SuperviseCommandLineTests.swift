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

    @Test func aMissingWorkerCommandIsAUsageError() throws {
        let run = try runJobq(["supervise", "some-queue"])
        #expect(run.exit.termination == .exited(code: 64))
        #expect(run.error.contains("give the worker command after --"))
    }
}
