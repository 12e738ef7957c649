import CJobqSystem
import Glibc
import Synchronization

/// A pipe a child writes to and this process reads only when asked, keeping the last bytes: for
/// output that must be cut at a point the reader chooses (such as the progress of one task of a
/// long-lived child, cut when the next task starts), which a background reader cannot promise.
///
/// Give ``childEnd`` to the child (``LaunchOptions/extraDescriptors``), then call
/// ``closeChildEnd()``. Every read takes only what is already in the pipe and never waits. Safe
/// to use from any thread. A child writing faster than it is read waits on its writes once the
/// pipe's buffer (64 KiB on Linux) is full.
public final class DrainedPipe: Sendable {
    /// The most bytes kept: the last ones read.
    public let maxBytes: Int
    private let state: Mutex<(readEnd: Int32, childEnd: Int32, tail: [UInt8])>

    /// Creates the pipe (close-on-exec).
    /// - Throws: ``ProcessError`` `.spawnFailed` when it cannot be made.
    public init(maxBytes: Int) throws(ProcessError) {
        var fds: [Int32] = [-1, -1]
        let error = jobq_pipe(&fds)
        guard error == 0 else {
            throw ProcessError(code: .spawnFailed, message: "cannot create a pipe for a child's output", errno: error)
        }
        self.maxBytes = max(0, maxBytes)
        state = Mutex((fds[0], fds[1], []))
    }

    deinit {
        close()
    }

    /// The descriptor the child writes to; -1 once ``closeChildEnd()`` was called.
    public var childEnd: Int32 { state.withLock { $0.childEnd } }

    /// Closes this process's copy of the child's end, once the child has been launched.
    public func closeChildEnd() {
        state.withLock { state in
            if state.childEnd >= 0 { Glibc.close(state.childEnd) }
            state.childEnd = -1
        }
    }

    /// Reads what is waiting in the pipe and returns the last ``maxBytes`` bytes read so far.
    public func snapshot() -> [UInt8] {
        state.withLock { state in
            Self.drain(state.readEnd, into: &state.tail, maxBytes: maxBytes)
            return state.tail
        }
    }

    /// Reads what is waiting in the pipe and forgets it and everything before it.
    public func reset() {
        state.withLock { state in
            Self.drain(state.readEnd, into: &state.tail, maxBytes: maxBytes)
            state.tail = []
        }
    }

    /// Closes both ends.
    public func close() {
        state.withLock { state in
            if state.childEnd >= 0 { Glibc.close(state.childEnd) }
            if state.readEnd >= 0 { Glibc.close(state.readEnd) }
            state.childEnd = -1
            state.readEnd = -1
        }
    }

    private static func drain(_ fd: Int32, into tail: inout [UInt8], maxBytes: Int) {
        guard fd >= 0 else { return }
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 0) > 0, descriptor.revents & Int16(POLLIN) != 0 else { return }
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            tail.append(contentsOf: chunk[..<count])
            if tail.count > maxBytes { tail.removeFirst(tail.count - maxBytes) }
        }
    }
}
