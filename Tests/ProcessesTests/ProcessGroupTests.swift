import Foundation
import Glibc
import Processes
import Testing

@Suite struct ProcessGroupTests {
    @Test func theChildLeadsItsOwnProcessGroupByDefault() throws {
        let child = try ChildProcess.launch(LaunchOptions(executable: "/bin/sleep", arguments: ["5"]))
        defer { _ = child.terminate(grace: .zero) }
        #expect(child.processGroup == child.pid)
        #expect(getpgid(child.pid) == child.pid)
        #expect(getpgid(child.pid) != getpgrp())
    }

    @Test func withoutANewGroupTheChildStaysInThisProcesssGroup() throws {
        let child = try ChildProcess.launch(LaunchOptions(executable: "/bin/sleep", arguments: ["5"], newProcessGroup: false))
        defer { _ = child.terminate(grace: .zero) }
        #expect(child.processGroup == nil)
        #expect(getpgid(child.pid) == getpgrp())
    }

    @Test func terminateLetsAChildThatHandlesSIGTERMExitCleanly() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let ready = directory.file("ready")
        let child = try shell("trap 'echo cleaned up; exit 0' TERM; touch '\(ready)'; while :; do sleep 0.05; done")
        try #require(eventually { access(ready, F_OK) == 0 })

        let start = ContinuousClock.now
        let exit = child.terminate(grace: .seconds(5))
        #expect(exit.termination == .exited(code: 0))
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(child.standardOutputText == "cleaned up\n")
        #expect(liveProcesses(inGroup: child.pid).isEmpty)
    }

    @Test func terminateKillsAGroupThatIgnoresSIGTERMAfterTheGraceIncludingGrandchildren() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let grandchildFile = directory.file("grandchild")
        // The ignored disposition is inherited by the background sleep, a grandchild in the same group.
        let child = try shell("trap '' TERM; sleep 30 & echo $! > '\(grandchildFile)'; wait")
        try #require(eventually { ((try? String(contentsOfFile: grandchildFile, encoding: .utf8)) ?? "").hasSuffix("\n") })
        let grandchild = try #require(pid_t(try String(contentsOfFile: grandchildFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(isAlive(grandchild))
        #expect(liveProcesses(inGroup: child.pid).count == 2)

        let start = ContinuousClock.now
        let exit = child.terminate(grace: .milliseconds(500))
        let elapsed = ContinuousClock.now - start
        #expect(exit.termination == .signaled(signal: SIGKILL, coreDumped: false))
        #expect(exit.description == "killed by SIGKILL")
        #expect(elapsed >= .milliseconds(500))
        #expect(elapsed < .seconds(3))
        #expect(eventually { !isAlive(grandchild) })
        #expect(liveProcesses(inGroup: child.pid).isEmpty)
    }

    @Test func terminateKillsGrandchildrenLeftBehindByAChildThatExitedInTime() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let grandchildFile = directory.file("grandchild")
        // The child exits on SIGTERM, but its grandchild ignores SIGTERM and would linger in the group.
        let child = try shell("(trap '' TERM; exec sleep 30) & echo $! > '\(grandchildFile)'; trap 'exit 0' TERM; while :; do sleep 0.05; done")
        try #require(eventually { ((try? String(contentsOfFile: grandchildFile, encoding: .utf8)) ?? "").hasSuffix("\n") })
        let grandchild = try #require(pid_t(try String(contentsOfFile: grandchildFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        try #require(eventually { isAlive(grandchild) })

        let start = ContinuousClock.now
        let exit = child.terminate(grace: .seconds(5))
        // The straggler, which also holds the captured stdout, is killed as soon as the child is gone.
        #expect(ContinuousClock.now - start < ChildProcess.captureDrainTimeout)
        #expect(exit.termination == .exited(code: 0))
        #expect(eventually { !isAlive(grandchild) })
    }
}
