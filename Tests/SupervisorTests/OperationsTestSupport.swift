import Foundation
import JobqTestSupport
import Processes

/// Runs `jobq` to completion with exactly the given environment (no test Redis added), killing it
/// after `timeout`.
func runJobq(_ arguments: [String], environment: [String: String], timeout: Duration = .seconds(30)) throws -> (exit: ProcessExit, output: String, error: String) {
    let child = try ChildProcess.launch(LaunchOptions(
        executable: Binaries.path("jobq"), arguments: arguments, environment: environment,
        standardOutput: .captureTail(maxBytes: 256 * 1024), standardError: .captureTail(maxBytes: 64 * 1024)
    ))
    let exit = child.wait(timeout: timeout) ?? child.terminate(grace: .seconds(1))
    return (exit, String(decoding: child.standardOutputTail, as: UTF8.self), String(decoding: child.standardErrorTail, as: UTF8.self))
}

/// Starts `sleep 30` under the process name `name` (bash's `exec -a`), so its command line is
/// `name 30`: a stand-in for a worker process.
func launchSleeper(named name: String) throws -> ChildProcess {
    try ChildProcess.launch(LaunchOptions(
        executable: "/bin/bash", arguments: ["-c", "exec -a \(name) sleep 30"], standardOutput: .discard, standardError: .discard))
}

extension ProcessExit {
    /// The exit status, or `nil` when a signal ended the process.
    var status: Int32? {
        if case .exited(let code) = termination { return code }
        return nil
    }
}
