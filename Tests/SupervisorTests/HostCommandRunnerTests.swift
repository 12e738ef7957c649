import Foundation
import Testing
@testable import Supervisor

@Suite struct HostCommandRunnerTests {
    let runner = CommandRunner(searchPath: "/usr/bin:/bin", timeout: .seconds(5))

    @Test func argumentsArePassedLiterallyWithoutAShell() throws {
        let output = try runner.run("/bin/echo", ["a  b; echo injected", "$HOME"])
        #expect(output.status == 0)
        #expect(output.standardOutput == "a  b; echo injected $HOME\n")
    }

    @Test func largeOutputIsReadWithoutDeadlock() throws {
        let output = try runner.run("/bin/bash", ["-c", "head -c 300000 /dev/zero | tr '\\0' x; echo done >&2"])
        #expect(output.standardOutput.count == 300_000)
        #expect(output.standardError == "done\n")
    }

    @Test func failureStatusAndStandardErrorAreReported() throws {
        let output = try runner.run("/bin/bash", ["-c", "echo oops >&2; exit 3"])
        #expect(output.status == 3)
        #expect(output.standardError == "oops\n")
    }

    @Test func commandsRunInTheCLocaleWithTheSearchPath() throws {
        let output = try runner.run("/bin/bash", ["-c", "echo $LC_ALL $PATH"])
        #expect(output.standardOutput == "C /usr/bin:/bin\n")
    }

    @Test func commandPastItsTimeoutIsKilledAndReported() throws {
        let quick = CommandRunner(searchPath: "/usr/bin:/bin", timeout: .milliseconds(300))
        let started = Date()
        #expect(throws: HostCommandError.self) { try quick.run("/bin/sleep", ["30"]) }
        #expect(Date().timeIntervalSince(started) < 5)
        do {
            _ = try quick.run("/bin/sleep", ["30"])
        } catch {
            #expect(error.code == .timedOut)
        }
    }

    @Test func unlaunchableExecutableIsALaunchFailure() throws {
        do {
            _ = try runner.run("/nonexistent/tool", [])
            Issue.record("launching a missing executable succeeded")
        } catch {
            #expect(error.code == .launchFailed)
            #expect(error.underlying != nil)
        }
    }

    @Test func locateFindsOnlyExecutableFilesInSearchOrder() throws {
        let host = try ScratchHostRoot()
        try host.write("first/df", "not executable")
        try FileManager.default.createDirectory(atPath: "\(host.path)/second/df", withIntermediateDirectories: true)
        try host.writeCommand("df", script: "exit 0")
        let search = CommandRunner(searchPath: "\(host.path)/first:\(host.path)/second::\(host.path)/bin", timeout: .seconds(1))
        #expect(search.locate("df") == "\(host.path)/bin/df")
        #expect(search.locate("systemctl") == nil)
    }
}
