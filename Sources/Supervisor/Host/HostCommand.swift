import Glibc
import Processes

/// Why an external inspection command (`systemctl`, `df`) gave no output.
struct HostCommandError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    enum Code: String, Sendable {
        /// The executable could not be started.
        case launchFailed
        /// The command did not finish in time and was killed.
        case timedOut
    }

    /// The kind of failure.
    let code: Code
    /// What failed, phrased for the operator.
    let message: String
    /// Why the launch failed, for ``Code/launchFailed``.
    let underlying: ProcessError?

    var description: String {
        guard let underlying else { return message }
        return "\(message): \(underlying)"
    }
}

/// What a finished command printed and how it exited.
struct CommandOutput: Sendable {
    /// Exit status, or 128 + signal number when a signal ended it.
    var status: Int32
    /// Everything written to standard output.
    var standardOutput: String
    /// Everything written to standard error.
    var standardError: String
}

/// Finds executables on a search path and runs them with an argument vector (never through a shell),
/// killing any that outlive the timeout, with their process group.
///
/// Synchronous and blocking: call it from a dedicated thread, never from async code.
struct CommandRunner: Sendable {
    /// Colon-separated directories searched for executables, in order.
    var searchPath: String
    /// How long a command may run before it and its process group are killed.
    var timeout: Duration

    /// The first executable file named `name` (a bare name) in the search path. Empty entries of
    /// the search path are skipped: they do not stand for the current directory.
    func locate(_ name: String) -> String? {
        let directories = searchPath.split(separator: ":").joined(separator: ":")
        guard !directories.isEmpty else { return nil }
        return try? ExecutableLookup.resolve(name, searchPath: directories)
    }

    /// Runs `executable` with `arguments` in the C locale and returns its output and exit status.
    ///
    /// - Throws: `HostCommandError` when it cannot start or exceeds the timeout.
    func run(_ executable: String, _ arguments: [String]) throws(HostCommandError) -> CommandOutput {
        // The whole output is kept: a tail as long as `Int.max` never drops anything.
        let options = LaunchOptions(
            executable: executable,
            arguments: arguments,
            environment: ["PATH": searchPath, "LC_ALL": "C", "SYSTEMD_COLORS": "0", "SYSTEMD_PAGER": ""],
            standardOutput: .captureTail(maxBytes: .max),
            standardError: .captureTail(maxBytes: .max)
        )
        let child: ChildProcess
        do {
            child = try ChildProcess.launch(options)
        } catch {
            throw HostCommandError(code: .launchFailed, message: "cannot start \(executable)", underlying: error)
        }
        guard let exit = child.wait(timeout: timeout) else {
            child.signalGroup(SIGKILL)
            _ = child.wait(timeout: .seconds(2))
            throw HostCommandError(
                code: .timedOut,
                message: "\(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout) and was killed",
                underlying: nil
            )
        }
        let status = switch exit.termination {
        case .exited(let code): code
        case .signaled(let signal, _): 128 + signal
        }
        return CommandOutput(
            status: status,
            standardOutput: String(decoding: child.standardOutputTail, as: UTF8.self),
            standardError: String(decoding: child.standardErrorTail, as: UTF8.self)
        )
    }
}
