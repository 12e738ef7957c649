import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    /// The error Foundation reported when launching, if any.
    let underlying: (any Error & Sendable)?

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
/// killing any that outlive the timeout.
///
/// Synchronous and blocking: call it from a dedicated thread, never from async code.
struct CommandRunner: Sendable {
    /// Colon-separated directories searched for executables, in order.
    var searchPath: String
    /// How long a command may run before it and its process group are killed.
    var timeout: Duration

    /// The first executable file named `name` in the search path.
    func locate(_ name: String) -> String? {
        for directory in searchPath.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            var info = stat()
            if stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    /// Runs `executable` with `arguments` in the C locale and returns its output and exit status.
    ///
    /// - Throws: `HostCommandError` when it cannot start or exceeds the timeout.
    func run(_ executable: String, _ arguments: [String]) throws(HostCommandError) -> CommandOutput {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ["PATH": searchPath, "LC_ALL": "C", "SYSTEMD_COLORS": "0", "SYSTEMD_PAGER": ""]
        process.standardInput = FileHandle.nullDevice
        let outputPipe = Pipe()
        let errorPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = errorPipe
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        let output = PipeCollector(reading: outputPipe.fileHandleForReading)
        let errors = PipeCollector(reading: errorPipe.fileHandleForReading)
        do {
            try process.run()
        } catch {
            output.abandon(writer: outputPipe.fileHandleForWriting)
            errors.abandon(writer: errorPipe.fileHandleForWriting)
            throw HostCommandError(code: .launchFailed, message: "cannot start \(executable)", underlying: error)
        }
        if exited.wait(timeout: .now() + timeout.dispatchInterval) == .timedOut {
            Self.killGroup(of: process.processIdentifier)
            _ = exited.wait(timeout: .now() + .seconds(2))
            throw HostCommandError(
                code: .timedOut,
                message: "\(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout) and was killed",
                underlying: nil
            )
        }
        let streamDeadline = DispatchTime.now() + .seconds(1)
        let status = process.terminationReason == .uncaughtSignal
            ? 128 + process.terminationStatus : process.terminationStatus
        return CommandOutput(
            status: status,
            standardOutput: String(decoding: output.collected(waitingUntil: streamDeadline), as: UTF8.self),
            standardError: String(decoding: errors.collected(waitingUntil: streamDeadline), as: UTF8.self)
        )
    }

    /// Kills the command and everything it started; Foundation makes each child lead its own process group.
    private static func killGroup(of pid: Int32) {
        if getpgid(pid) == pid {
            kill(-pid, SIGKILL)
        } else {
            kill(pid, SIGKILL)
        }
    }
}

/// Drains one pipe on its own thread so a chatty command never blocks on a full pipe.
private final class PipeCollector: Sendable {
    private let buffer = Mutex<[UInt8]>([])
    private let finished = DispatchSemaphore(value: 0)

    init(reading handle: FileHandle) {
        let thread = Thread { [self] in
            while let chunk = try? handle.read(upToCount: 65_536), !chunk.isEmpty {
                buffer.withLock { $0.append(contentsOf: chunk) }
            }
            finished.signal()
        }
        thread.start()
    }

    /// Closes the parent's copy of the write end so the reader thread sees end-of-file (used when launch failed).
    func abandon(writer: FileHandle) {
        try? writer.close()
    }

    /// Everything read so far, after waiting until end-of-file or `deadline`, whichever comes first.
    /// A background process that inherited the pipe can keep it open; its later output is dropped.
    func collected(waitingUntil deadline: DispatchTime) -> [UInt8] {
        _ = finished.wait(timeout: deadline)
        return buffer.withLock { $0 }
    }
}

extension Duration {
    /// The duration as a Dispatch interval, at nanosecond resolution.
    var dispatchInterval: DispatchTimeInterval {
        let (seconds, attoseconds) = components
        return .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }
}
