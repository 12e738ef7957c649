import Foundation
import Glibc
import Processes
import Testing

@Suite struct LaunchFailureTests {
    @Test func aNameNotOnThePathIsAClearError() throws {
        let error = try #require(throws: ProcessError.self) {
            try ChildProcess.launch(LaunchOptions(executable: "jobq-no-such-program", environment: ["PATH": "/usr/bin:/bin"]))
        }
        #expect(error.code == .executableNotFound)
        #expect(error.message.contains("jobq-no-such-program"))
        #expect(error.message.contains("/usr/bin:/bin"))
    }

    @Test func aMissingPathIsReportedFromExecNotAsExitStatus127() throws {
        let error = try #require(throws: ProcessError.self) {
            try ChildProcess.launch(LaunchOptions(executable: "/nonexistent/worker"))
        }
        #expect(error.code == .executableNotFound)
        #expect(error.errno == ENOENT)
        #expect(error.description == "cannot execute /nonexistent/worker: ENOENT (No such file or directory)")
    }

    @Test func aFileWithoutExecutePermissionIsNotExecutable() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let script = directory.file("tool")
        try "#!/bin/sh\nexit 0\n".write(toFile: script, atomically: false, encoding: .utf8)
        chmod(script, 0o644)

        let direct = try #require(throws: ProcessError.self) { try ChildProcess.launch(LaunchOptions(executable: script)) }
        #expect(direct.code == .notExecutable)
        #expect(direct.errno == EACCES)

        let searched = try #require(throws: ProcessError.self) {
            try ChildProcess.launch(LaunchOptions(executable: "tool", environment: ["PATH": directory.path]))
        }
        #expect(searched.code == .notExecutable)
        #expect(searched.message.contains(script))
    }

    @Test func aMissingWorkingDirectoryIsAClearError() throws {
        let error = try #require(throws: ProcessError.self) {
            try ChildProcess.launch(LaunchOptions(executable: "/bin/true", workingDirectory: "/nonexistent/dir"))
        }
        #expect(error.code == .workingDirectoryFailed)
        #expect(error.errno == ENOENT)
        #expect(error.message.contains("/nonexistent/dir"))
    }

    @Test func aCgroupThatCannotBeOpenedIsACgroupJoinFailure() throws {
        let error = try #require(throws: ProcessError.self) {
            try ChildProcess.launch(LaunchOptions(executable: "/bin/true", cgroupProcsPaths: ["/nonexistent/cgroup.procs"]))
        }
        #expect(error.code == .cgroupJoinFailed)
        #expect(error.errno == ENOENT)
        #expect(error.message.contains("/nonexistent/cgroup.procs"))
    }

    @Test func aCgroupWriteRefusedInTheChildIsReportedWithItsErrno() throws {
        // /dev/full opens for writing but refuses every write with ENOSPC, like a full cpuset.
        let error = try #require(throws: ProcessError.self) {
            try ChildProcess.launch(LaunchOptions(executable: "/bin/true", cgroupProcsPaths: ["/dev/null", "/dev/full"]))
        }
        #expect(error.code == .cgroupJoinFailed)
        #expect(error.errno == ENOSPC)
        #expect(error.description == "cannot join cgroup /dev/full: ENOSPC (No space left on device)")
    }

    @Test func aNulByteInAnArgumentIsRefused() throws {
        let error = try #require(throws: ProcessError.self) {
            try ChildProcess.launch(LaunchOptions(executable: "/bin/echo", arguments: ["a\u{0}b"]))
        }
        #expect(error.code == .invalidArgument)
    }
}
