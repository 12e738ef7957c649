import Foundation
import Glibc
import Processes
import Testing

@Suite struct EnvironmentTests {
    @Test func theChildGetsExactlyTheGivenEnvironment() throws {
        let environment = ["JOBQ_A": "1", "JOBQ_B": "two words; $(not run) `nor this`", "EMPTY": ""]
        let child = try ChildProcess.launch(LaunchOptions(
            executable: "/usr/bin/env", environment: environment, standardOutput: .captureTail(maxBytes: 4096)
        ))
        #expect(child.wait().isSuccess)
        let lines = Set(child.standardOutputText.split(separator: "\n", omittingEmptySubsequences: true).map(String.init))
        #expect(lines == ["JOBQ_A=1", "JOBQ_B=two words; $(not run) `nor this`", "EMPTY="])
    }

    @Test func withoutAnEnvironmentTheChildInheritsThisProcesss() throws {
        let child = try ChildProcess.launch(LaunchOptions(executable: "/usr/bin/env", standardOutput: .captureTail(maxBytes: 1 << 20)))
        #expect(child.wait().isSuccess)
        let lines = Set(child.standardOutputText.split(separator: "\n").map(String.init))
        let expected = Set(ProcessInfo.processInfo.environment.filter { !$0.value.contains("\n") }.map { "\($0.key)=\($0.value)" })
        #expect(expected.isSubset(of: lines))
        #expect(!expected.isEmpty)
    }

    @Test func aBareNameIsFoundOnThePathOfTheChildsEnvironment() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // A link, not a freshly written script: a file just open for writing may not be executed yet.
        try #require(symlink("/bin/echo", directory.file("jobq-test-tool")) == 0)
        let child = try ChildProcess.launch(LaunchOptions(
            executable: "jobq-test-tool",
            arguments: ["found", "me"],
            environment: ["PATH": "/nonexistent:\(directory.path)"],
            standardOutput: .captureTail(maxBytes: 1024)
        ))
        #expect(child.wait().isSuccess)
        #expect(child.standardOutputText == "found me\n")
    }

    @Test func argumentsArePassedVerbatimWithoutAShell() throws {
        let arguments = ["a b", "$HOME", "*", "", "'\""]
        let child = try ChildProcess.launch(LaunchOptions(
            executable: "/usr/bin/printf", arguments: ["[%s]\n"] + arguments, standardOutput: .captureTail(maxBytes: 1024)
        ))
        #expect(child.wait().isSuccess)
        #expect(child.standardOutputText == arguments.map { "[\($0)]\n" }.joined())
    }

    @Test func theChildStartsInTheGivenWorkingDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let child = try ChildProcess.launch(LaunchOptions(
            executable: "/bin/pwd", arguments: ["-P"], workingDirectory: directory.path, standardOutput: .captureTail(maxBytes: 1024)
        ))
        #expect(child.wait().isSuccess)
        let resolved = try #require(realpath(directory.path, nil))
        defer { free(resolved) }
        #expect(child.standardOutputText == String(cString: resolved) + "\n")
    }
}
