import CJobqSystem

/// How a child process ended, with the CPU and wall-clock time it took.
public struct ProcessExit: Sendable, Hashable, CustomStringConvertible {
    /// Whether the process exited by itself or was killed by a signal.
    public enum Termination: Sendable, Hashable {
        /// The process called `exit` with this status (0...255).
        case exited(code: Int32)
        /// The process was killed by this signal, leaving a core dump if `coreDumped`.
        case signaled(signal: Int32, coreDumped: Bool)
    }

    /// Whether the process exited or was killed.
    public let termination: Termination
    /// User plus system CPU time of the process and the descendants it waited for (from `wait4`).
    public let cpuTime: Duration
    /// Wall-clock time from the successful start to the moment the process was reaped.
    public let runTime: Duration

    /// Creates an exit record.
    public init(termination: Termination, cpuTime: Duration, runTime: Duration) {
        self.termination = termination
        self.cpuTime = cpuTime
        self.runTime = runTime
    }

    /// True when the process exited with status 0.
    public var isSuccess: Bool { termination == .exited(code: 0) }

    /// `"exit status 1"`, `"killed by SIGKILL"` or `"killed by SIGSEGV (core dumped)"`.
    public var description: String {
        switch termination {
        case .exited(let code):
            return "exit status \(code)"
        case .signaled(let signal, let coreDumped):
            return "killed by \(Self.signalName(signal))" + (coreDumped ? " (core dumped)" : "")
        }
    }

    /// The conventional name of a signal, e.g. `"SIGTERM"`, or `"signal 40"` when it has none.
    ///
    /// - Parameter signal: a signal number.
    public static func signalName(_ signal: Int32) -> String {
        guard let abbreviation = jobq_signal_abbreviation(signal) else { return "signal \(signal)" }
        return "SIG" + String(cString: abbreviation)
    }
}
