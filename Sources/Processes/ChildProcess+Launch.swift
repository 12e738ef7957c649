import CJobqSystem
import Dispatch
import Foundation
import Glibc

extension ChildProcess {
    /// Starts a child process as described by `options` and returns once it is executing.
    ///
    /// Before the program runs, the child has its parent-death signal
    /// (``LaunchOptions/parentDeathSignal``) when one is given, has joined every cgroup in
    /// ``LaunchOptions/cgroupProcsPaths``, has its own process group (unless disabled), its standard
    /// streams, no other open descriptors, every signal at its default disposition with none
    /// blocked (even those this process ignores, such as `SIGPIPE`), its resource limits and its
    /// working directory. A failure at any of those steps or at `execve` is reported here, not as
    /// a child exiting with status 127.
    ///
    /// - Parameter options: what to run and how.
    /// - Returns: the running child.
    /// - Throws: ``ProcessError`` naming the step, the path and the `errno` that failed.
    public static func launch(_ options: LaunchOptions) throws(ProcessError) -> ChildProcess {
        let ownEnvironment = ProcessInfo.processInfo.environment
        let environment = options.environment ?? ownEnvironment
        let searchPath = environment["PATH"] ?? ownEnvironment["PATH"] ?? ExecutableLookup.defaultSearchPath
        let path = try ExecutableLookup.resolve(options.executable, searchPath: searchPath)
        try validate(path: path, workingDirectory: options.workingDirectory, environment: environment)
        let extraCount = options.extraOutputTails.count + options.extraDescriptors.count
        guard extraCount <= LaunchOptions.maxExtraOutputs else {
            throw ProcessError(code: .invalidArgument, message: "at most \(LaunchOptions.maxExtraOutputs) extra output descriptors, not \(extraCount)")
        }

        var argv = try CStringArray([options.executable] + options.arguments, describing: "an argument")
        defer { argv.free() }
        var envp = try CStringArray(environment.map { "\($0.key)=\($0.value)" }, describing: "an environment entry")
        defer { envp.free() }

        var descriptors = SpawnDescriptors()
        defer { descriptors.closeChildEnds() }
        try descriptors.openCgroups(options.cgroupProcsPaths)
        try descriptors.prepareStandardStreams(options)

        let rlimits = options.resourceLimits.rlimits
        var failure = jobq_spawn_failure()
        let pid = spawn(
            path: path, argv: argv, envp: envp, workingDirectory: options.workingDirectory,
            descriptors: descriptors, newProcessGroup: options.newProcessGroup, rlimits: rlimits,
            parentDeathSignal: options.parentDeathSignal ?? 0, failure: &failure
        )
        guard pid > 0 else {
            descriptors.closeParentEnds()
            throw ProcessError(spawnFailure: failure, path: path, options: options, rlimits: rlimits)
        }
        let start = ContinuousClock.now

        let child = ChildProcess(
            pid: pid,
            processGroup: options.newProcessGroup ? pid : nil,
            standardOutput: descriptors.standardOutputTail,
            standardError: descriptors.standardErrorTail,
            extraOutputs: descriptors.extraOutputTails
        )
        var captureFinished: DispatchGroup?
        if !descriptors.captureStreams.isEmpty {
            let group = DispatchGroup()
            OutputCapture.start(streams: descriptors.captureStreams, pid: pid, finished: group)
            captureFinished = group
        }
        if case .bytes(let bytes) = options.standardInput, let writeEnd = descriptors.standardInputWriteEnd {
            StandardInputFeeder.start(bytes: bytes, fd: writeEnd, pid: pid)
        }
        child.startReaper(startedAt: start, captureFinished: captureFinished)
        return child
    }

    private static func validate(path: String, workingDirectory: String?, environment: [String: String]) throws(ProcessError) {
        if path.utf8.contains(0) {
            throw ProcessError(code: .invalidArgument, message: "executable path contains a NUL byte: \(path.debugDescription)")
        }
        if let workingDirectory, workingDirectory.utf8.contains(0) {
            throw ProcessError(code: .invalidArgument, message: "working directory contains a NUL byte: \(workingDirectory.debugDescription)")
        }
        for name in environment.keys where name.isEmpty || name.contains("=") {
            throw ProcessError(code: .invalidArgument, message: "invalid environment variable name \(name.debugDescription)")
        }
    }

    /// Calls the C shim with every buffer it needs kept alive for the call.
    private static func spawn(
        path: String, argv: CStringArray, envp: CStringArray, workingDirectory: String?,
        descriptors: SpawnDescriptors, newProcessGroup: Bool, rlimits: [jobq_rlimit],
        parentDeathSignal: Int32, failure: inout jobq_spawn_failure
    ) -> pid_t {
        path.withCString { pathPointer in
            argv.pointers.withUnsafeBufferPointer { argvPointer in
                envp.pointers.withUnsafeBufferPointer { envpPointer in
                    descriptors.childExtraOutputs.withUnsafeBufferPointer { extraPointer in
                    descriptors.cgroupProcs.withUnsafeBufferPointer { cgroupPointer in
                        rlimits.withUnsafeBufferPointer { rlimitPointer in
                            withOptionalCString(workingDirectory) { directoryPointer in
                                var request = jobq_spawn_request(
                                    path: pathPointer,
                                    argv: argvPointer.baseAddress,
                                    envp: envpPointer.baseAddress,
                                    working_directory: directoryPointer,
                                    stdin_fd: descriptors.childStandardInput,
                                    stdout_fd: descriptors.childStandardOutput,
                                    stderr_fd: descriptors.childStandardError,
                                    extra_fds: extraPointer.baseAddress,
                                    extra_count: Int32(extraPointer.count),
                                    cgroup_procs_fds: cgroupPointer.baseAddress,
                                    cgroup_procs_count: Int32(cgroupPointer.count),
                                    new_process_group: newProcessGroup ? 1 : 0,
                                    rlimits: rlimitPointer.baseAddress,
                                    rlimit_count: Int32(rlimitPointer.count),
                                    parent_death_signal: parentDeathSignal
                                )
                                return jobq_spawn(&request, &failure)
                            }
                        }
                    }
                    }
                }
            }
        }
    }

    private static func withOptionalCString<Result>(
        _ string: String?, _ body: (UnsafePointer<CChar>?) -> Result
    ) -> Result {
        guard let string else { return body(nil) }
        return string.withCString { body($0) }
    }
}
