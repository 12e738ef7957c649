/// Everything needed to start one child process.
public struct LaunchOptions: Sendable {
    /// Where the child's standard input comes from.
    public enum StandardInput: Sendable, Hashable {
        /// End of file at once (`/dev/null`).
        case empty
        /// These bytes, written into a pipe by a background thread which then closes it.
        /// Payloads may be megabytes; a child that stops reading simply does not get the rest.
        case bytes([UInt8])
        /// A descriptor the caller owns and keeps open until `launch` returns; the child gets a copy.
        case fileDescriptor(Int32)
    }

    /// Where the child's standard output or standard error goes.
    public enum OutputDestination: Sendable, Hashable {
        /// The same descriptor as this process's own stream.
        case inherit
        /// `/dev/null`.
        case discard
        /// A pipe read by a background thread that keeps only the last `maxBytes` bytes.
        case captureTail(maxBytes: Int)
        /// Like ``captureTail(maxBytes:)``, and everything read is also written to this process's
        /// own stream (the child's output stays in the log and its end is kept for errors).
        case captureTailAndInherit(maxBytes: Int)
        /// A descriptor the caller owns and keeps open until `launch` returns (such as the write
        /// end of a ``LineChannel``); the child gets a copy.
        case fileDescriptor(Int32)
    }

    /// Path to the program, or a bare name to look up on `PATH` (see ``environment``).
    public var executable: String
    /// Arguments after `argv[0]`; `argv[0]` is `executable` as given.
    public var arguments: [String]
    /// The child's complete environment. `nil` passes this process's environment unchanged.
    /// A bare `executable` name is looked up on this environment's `PATH` when it has one,
    /// else on this process's `PATH`.
    public var environment: [String: String]?
    /// Directory the child starts in; `nil` keeps this process's.
    public var workingDirectory: String?
    /// The child's standard input. Default: ``StandardInput/empty``.
    public var standardInput: StandardInput
    /// The child's standard output. Default: ``OutputDestination/inherit``.
    public var standardOutput: OutputDestination
    /// The child's standard error. Default: ``OutputDestination/inherit``.
    public var standardError: OutputDestination
    /// Pipes the child gets as descriptors 3, 4, ... in this order, for it to write to: for each, the
    /// most bytes kept (the last ones written), readable while the child runs with
    /// ``ChildProcess/extraOutputTail(_:)``. At most ``maxExtraOutputs``. Default: none.
    public var extraOutputTails: [Int]
    /// Descriptors the caller owns and keeps open until `launch` returns (such as the write end of
    /// a ``DrainedPipe``), given to the child after the pipes of ``extraOutputTails``: as
    /// `3 + extraOutputTails.count`, and so on. Together with ``extraOutputTails``, at most
    /// ``maxExtraOutputs``. Default: none.
    public var extraDescriptors: [Int32]
    /// Put the child in a new process group of its own (`setpgid(0, 0)`), so it and its
    /// descendants can be signalled together without touching this process. Default: `true`.
    public var newProcessGroup: Bool
    /// `cgroup.procs` files the child writes itself into before it executes, one per hierarchy.
    /// Default: none.
    public var cgroupProcsPaths: [String]
    /// `setrlimit` limits applied in the child before it executes. Default: none.
    public var resourceLimits: ResourceLimits
    /// The signal the child gets when its parent dies (`prctl(PR_SET_PDEATHSIG)`, set before it
    /// executes), e.g. `SIGKILL`, so that a child never outlives a parent killed without warning;
    /// `nil` sends none. Default: `nil`.
    ///
    /// Linux ties the signal to the *thread* that launched the child, not to the process: launch
    /// from a thread that lives as long as the child should (never from a short-lived or pooled
    /// thread), or the child gets the signal when that thread ends. A parent that died before the
    /// child could ask for the signal fails the launch (``ProcessError/Code/spawnFailed``, `ESRCH`)
    /// rather than leaving an orphan. The kernel clears the signal when the child executes a
    /// set-user-ID or set-group-ID program, or one with file capabilities; it is kept across an
    /// ordinary `execve`, and not inherited by the child's own children.
    public var parentDeathSignal: Int32?

    /// The most entries ``extraOutputTails`` may have: 8.
    public static let maxExtraOutputs = 8

    /// Creates options; every parameter but `executable` has the default documented on its property.
    public init(
        executable: String,
        arguments: [String] = [],
        environment: [String: String]? = nil,
        workingDirectory: String? = nil,
        standardInput: StandardInput = .empty,
        standardOutput: OutputDestination = .inherit,
        standardError: OutputDestination = .inherit,
        extraOutputTails: [Int] = [],
        extraDescriptors: [Int32] = [],
        newProcessGroup: Bool = true,
        cgroupProcsPaths: [String] = [],
        resourceLimits: ResourceLimits = ResourceLimits(),
        parentDeathSignal: Int32? = nil
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.standardInput = standardInput
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.extraOutputTails = extraOutputTails
        self.extraDescriptors = extraDescriptors
        self.newProcessGroup = newProcessGroup
        self.cgroupProcsPaths = cgroupProcsPaths
        self.resourceLimits = resourceLimits
        self.parentDeathSignal = parentDeathSignal
    }
}
