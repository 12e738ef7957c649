import CJobqSystem
import Glibc

/// The descriptors one launch needs: the child's ends (closed in the parent after the spawn),
/// the parent's ends (handed to the capture and stdin threads), and the open `cgroup.procs` files.
struct SpawnDescriptors {
    /// Open `cgroup.procs` files, in the order of ``LaunchOptions/cgroupProcsPaths``.
    private(set) var cgroupProcs: [Int32] = []
    /// The descriptors installed as the child's 0, 1 and 2; -1 means `/dev/null`.
    private(set) var childStandardInput: Int32 = -1
    private(set) var childStandardOutput: Int32 = -1
    private(set) var childStandardError: Int32 = -1
    /// The parent's end of the stdin pipe, when the input is a byte payload.
    private(set) var standardInputWriteEnd: Int32?
    /// The parent's ends of capture pipes with their tails.
    private(set) var captureStreams: [(fd: Int32, tail: OutputTail)] = []
    private(set) var standardOutputTail: OutputTail?
    private(set) var standardErrorTail: OutputTail?
    /// The descriptors installed as the child's 3, 4, ..., and the tails their pipes fill.
    private(set) var childExtraOutputs: [Int32] = []
    private(set) var extraOutputTails: [OutputTail] = []
    /// Child ends this launch created (not the caller's descriptors, not this process's 1 and 2).
    private var ownedChildEnds: [Int32] = []

    /// Opens every `cgroup.procs` file for writing.
    ///
    /// - Throws: ``ProcessError/Code/cgroupJoinFailed`` naming the file that cannot be opened.
    mutating func openCgroups(_ paths: [String]) throws(ProcessError) {
        for path in paths {
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else {
                let error = errno
                closeChildEnds()
                throw ProcessError(code: .cgroupJoinFailed, message: "cannot join cgroup \(path): cannot open it for writing", errno: error)
            }
            cgroupProcs.append(fd)
        }
    }

    /// Creates the pipes and picks the descriptors for the child's standard streams.
    mutating func prepareStandardStreams(_ options: LaunchOptions) throws(ProcessError) {
        switch options.standardInput {
        case .empty:
            childStandardInput = -1
        case .fileDescriptor(let fd):
            childStandardInput = fd
        case .bytes:
            let (readEnd, writeEnd) = try makePipe()
            childStandardInput = readEnd
            ownedChildEnds.append(readEnd)
            standardInputWriteEnd = writeEnd
        }
        (childStandardOutput, standardOutputTail) = try prepareOutput(options.standardOutput, inherited: STDOUT_FILENO)
        (childStandardError, standardErrorTail) = try prepareOutput(options.standardError, inherited: STDERR_FILENO)
        for maxBytes in options.extraOutputTails {
            let (writeEnd, tail) = try prepareOutput(.captureTail(maxBytes: maxBytes), inherited: -1)
            childExtraOutputs.append(writeEnd)
            if let tail { extraOutputTails.append(tail) }
        }
        childExtraOutputs += options.extraDescriptors
    }

    private mutating func prepareOutput(
        _ destination: LaunchOptions.OutputDestination, inherited: Int32
    ) throws(ProcessError) -> (Int32, OutputTail?) {
        switch destination {
        case .inherit:
            return (inherited, nil)
        case .discard:
            return (-1, nil)
        case .fileDescriptor(let fd):
            return (fd, nil)
        case .captureTail(let maxBytes), .captureTailAndInherit(let maxBytes):
            let (readEnd, writeEnd) = try makePipe()
            ownedChildEnds.append(writeEnd)
            let forwarding: Int32? = if case .captureTailAndInherit = destination, inherited >= 0 { inherited } else { nil }
            let tail = OutputTail(maxBytes: maxBytes, forwardingTo: forwarding)
            captureStreams.append((readEnd, tail))
            return (writeEnd, tail)
        }
    }

    private mutating func makePipe() throws(ProcessError) -> (readEnd: Int32, writeEnd: Int32) {
        var fds: [Int32] = [-1, -1]
        let result = jobq_pipe(&fds)
        guard result == 0 else {
            closeChildEnds()
            closeParentEnds()
            throw ProcessError(code: .spawnFailed, message: "cannot create a pipe for the child's standard streams", errno: result)
        }
        return (fds[0], fds[1])
    }

    /// Closes what only the child needed; safe to call more than once.
    mutating func closeChildEnds() {
        for fd in cgroupProcs + ownedChildEnds {
            close(fd)
        }
        cgroupProcs = []
        ownedChildEnds = []
    }

    /// Closes the parent's pipe ends after a failed spawn.
    mutating func closeParentEnds() {
        for stream in captureStreams {
            close(stream.fd)
        }
        captureStreams = []
        if let standardInputWriteEnd {
            close(standardInputWriteEnd)
        }
        standardInputWriteEnd = nil
    }
}
