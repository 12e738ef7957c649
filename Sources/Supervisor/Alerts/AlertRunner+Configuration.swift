import Foundation

extension AlertRunner {
    /// Which command gets alerts, how often, and how long it may take.
    public struct Configuration: Sendable {
        /// The alert command: a path, or a name looked up on `PATH`. It is executed directly, never
        /// through a shell, with the event's kind as its only argument and the event on stdin.
        public var executable: String
        /// The least time between two alerts of the same kind for the same queue; those in between
        /// are suppressed and counted. Default: 10 minutes.
        public var interval: Duration = .seconds(600)
        /// How long one run of the alert command may take; then it gets `SIGTERM`, and `SIGKILL`
        /// one second later (its whole process group). Default: 10 s.
        public var timeout: Duration = .seconds(10)
        /// The most alerts waiting for their turn; beyond, the oldest is dropped and counted.
        /// Default: 32.
        public var maxPending = 32
        /// How long ``AlertRunner/finish()`` waits for pending alerts before the process exits.
        /// Default: 15 s.
        public var finishTimeout: Duration = .seconds(15)
        /// The jobq command raising alerts, as events name it (`supervise`, `resume` ...).
        /// Default: `jobq`.
        public var source = "jobq"
        /// This host's name, as events give it. Default: the host name.
        public var host = ProcessInfo.processInfo.hostName
        /// The environment the alert command starts from, before the Redis credentials and the
        /// systemd notification variables are removed; `nil` is this process's. Default: `nil`.
        public var environment: [String: String]?

        /// A configuration running `executable`, every other field at its default.
        public init(executable: String) {
            self.executable = executable
        }
    }
}
