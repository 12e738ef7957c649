import Foundation
import Glibc
import HumanUnits
import Logging
import Processes
import RedisClient

/// Runs the alert command once per event: directly (no shell), the kind as its argument, the
/// event as JSON on stdin, without the Redis credentials in its environment, killed when it
/// outlives its timeout. Used on the ``AlertRunner``'s thread only.
struct AlertCommand {
    /// How one run ended.
    enum Outcome: Equatable {
        /// Exit status 0.
        case delivered
        /// It could not be started, or exited with a failure.
        case failed(String)
        /// It ran longer than the timeout and was killed.
        case timedOut
    }

    /// Variables never handed to an alert command: every variable a Redis credential is read
    /// from or leads to, and the systemd notification variables that belong to the supervisor.
    static let withheldVariables: Set<String> = RedisConfiguration.credentialVariables
        .union(["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOBQ_WORKER_ID"])

    /// How much of the command's standard error is kept for the log.
    static let standardErrorTail = 2048

    let executable: String
    let timeout: Duration
    let environment: [String: String]
    let logger: Logger
    /// The child being run, for ``AlertRunner/finish()`` to kill when it gives up waiting.
    let current: @Sendable (ChildProcess?) -> Void

    init(configuration: AlertRunner.Configuration, logger: Logger, current: @escaping @Sendable (ChildProcess?) -> Void) {
        executable = configuration.executable
        timeout = configuration.timeout
        environment = (configuration.environment ?? ProcessInfo.processInfo.environment).filter { !Self.withheldVariables.contains($0.key) }
        self.logger = logger
        self.current = current
    }

    /// Runs the command for `event` and waits for it, at most ``timeout`` (plus a second to kill it).
    func run(_ event: AlertEvent) -> Outcome {
        let child: ChildProcess
        do {
            child = try ChildProcess.launch(LaunchOptions(
                executable: executable, arguments: [event.kind.rawValue], environment: environment,
                standardInput: .bytes(event.json()), standardOutput: .discard,
                standardError: .captureTail(maxBytes: Self.standardErrorTail)
            ))
        } catch {
            return .failed("cannot start \(executable): \(error.message)")
        }
        current(child)
        defer { current(nil) }
        guard let exit = child.wait(timeout: timeout) else {
            _ = child.terminate(grace: .seconds(1))
            return .timedOut
        }
        if exit.isSuccess { return .delivered }
        let output = String(decoding: child.standardErrorTail, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return .failed(exit.description + (output.isEmpty ? "" : ": " + SecretRedaction.redact(output).replacingOccurrences(of: "\n", with: " | ")))
    }

    /// Logs how a run ended.
    func log(_ outcome: Outcome, for event: AlertEvent) {
        let what = event.logName
        switch outcome {
        case .delivered:
            let suppressed = event.suppressed > 0 ? " (\(event.suppressed) suppressed since the last)" : ""
            logger.info("\(what) delivered by \(executable)\(suppressed)")
        case .failed(let reason):
            logger.error("\(what) not delivered: \(executable) failed: \(reason)")
        case .timedOut:
            logger.error("\(what) not delivered: \(executable) ran longer than \(DurationText.format(timeout)) and was killed")
        }
    }
}
