import Glibc
import Processes
import Testing

@Suite struct ExitStatusTests {
    @Test func exitCodeIsReportedWithAHumanDescription() throws {
        let exit = try shell("exit 3").wait()
        #expect(exit.termination == .exited(code: 3))
        #expect(!exit.isSuccess)
        #expect(exit.description == "exit status 3")
    }

    @Test func successfulExitIsSuccess() throws {
        let exit = try shell("true").wait()
        #expect(exit.termination == .exited(code: 0))
        #expect(exit.isSuccess)
    }

    @Test func deathBySignalIsReportedWithTheSignalName() throws {
        let exit = try shell("kill -USR1 $$").wait()
        #expect(exit.termination == .signaled(signal: SIGUSR1, coreDumped: false))
        #expect(exit.description == "killed by SIGUSR1")
        #expect(!exit.isSuccess)
    }

    @Test func cpuTimeAndRunTimeAreMeasured() throws {
        // Burns 0.4 s of its own CPU time (however busy the machine is), then sleeps 0.3 s using none.
        let script = "import time\nstart = time.process_time()\nwhile time.process_time() - start < 0.4: pass\ntime.sleep(0.3)"
        let child = try ChildProcess.launch(LaunchOptions(executable: "/usr/bin/python3", arguments: ["-c", script]))
        let exit = child.wait()
        #expect(exit.isSuccess)
        #expect(exit.cpuTime >= .milliseconds(400))
        #expect(exit.runTime >= .milliseconds(700))
        #expect(exit.cpuTime <= exit.runTime - .milliseconds(250))
    }

    @Test func timedWaitReturnsNilWhileTheChildRunsAndDoesNotReturnEarly() throws {
        let child = try ChildProcess.launch(LaunchOptions(executable: "sleep", arguments: ["5"]))
        let start = ContinuousClock.now
        #expect(child.wait(timeout: .milliseconds(300)) == nil)
        let waited = ContinuousClock.now - start
        #expect(waited >= .milliseconds(300))
        #expect(waited < .seconds(2))
        let exit = child.terminate(grace: .seconds(1))
        #expect(exit.termination == .signaled(signal: SIGTERM, coreDumped: false))
    }

    @Test func timedWaitReturnsAsSoonAsTheChildExits() throws {
        let child = try shell("sleep 0.2; exit 4")
        let start = ContinuousClock.now
        let exit = child.wait(timeout: .seconds(10))
        #expect(exit?.termination == .exited(code: 4))
        #expect(ContinuousClock.now - start < .seconds(3))
    }

    @Test func asyncWaitDeliversTheExitWithoutBlocking() async throws {
        let child = try shell("exit 7")
        let exit = await child.waitForExit()
        #expect(exit.termination == .exited(code: 7))
        #expect(child.wait() == exit)
    }

    @Test func signalAfterTheChildWasReapedSendsNothing() throws {
        let child = try shell("exit 0")
        _ = child.wait()
        #expect(child.signal(SIGKILL) == false)
    }
}
