import CJobqSystem
import Glibc

/// A conversation in lines with a long-lived child: requests written to its standard input,
/// answers read from its standard output, one line each.
///
/// Make one with ``open()``, launch the child with ``childInput`` as its standard input
/// (``LaunchOptions/StandardInput/fileDescriptor(_:)``) and ``childOutput`` as its standard output
/// (``LaunchOptions/OutputDestination/fileDescriptor(_:)``), then call ``closeChildEnds()``. Every
/// call blocks the calling thread: use it from a thread of your own, never from Swift's
/// cooperative pool. One thread at a time.
public struct LineChannel: Sendable {
    /// What ``readLine(maxBytes:stillWaiting:)`` found.
    public enum Read: Sendable, Equatable {
        /// One line, without its newline.
        case line([UInt8])
        /// More than the allowed bytes arrived without a newline.
        case tooLong
        /// The child closed its standard output (it exited, most likely) before a full line.
        case endOfFile
        /// `stillWaiting` returned false before a full line arrived.
        case gaveUp
    }

    /// The descriptor the child reads from; closed in this process by ``closeChildEnds()``.
    public private(set) var childInput: Int32
    /// The descriptor the child writes to; closed in this process by ``closeChildEnds()``.
    public private(set) var childOutput: Int32
    private var input: Int32
    private var output: Int32
    /// Bytes read beyond the last line handed out.
    private var pending: [UInt8] = []

    /// How often a read that waits checks `stillWaiting`.
    static let checkInterval: Int32 = 200

    /// Creates the two pipes (close-on-exec on this side).
    /// - Throws: ``ProcessError`` `.spawnFailed` when a pipe cannot be made.
    public static func open() throws(ProcessError) -> LineChannel {
        var request: [Int32] = [-1, -1]
        var answer: [Int32] = [-1, -1]
        let requestError = jobq_pipe(&request)
        guard requestError == 0 else {
            throw ProcessError(code: .spawnFailed, message: "cannot create a pipe for a child's standard input", errno: requestError)
        }
        let error = jobq_pipe(&answer)
        guard error == 0 else {
            Glibc.close(request[0])
            Glibc.close(request[1])
            throw ProcessError(code: .spawnFailed, message: "cannot create a pipe for a child's standard output", errno: error)
        }
        return LineChannel(childInput: request[0], childOutput: answer[1], input: request[1], output: answer[0])
    }

    private init(childInput: Int32, childOutput: Int32, input: Int32, output: Int32) {
        self.childInput = childInput
        self.childOutput = childOutput
        self.input = input
        self.output = output
    }

    /// True when bytes the child wrote have not been read as a line yet, or are waiting in the pipe.
    public var hasUnreadOutput: Bool {
        guard pending.isEmpty else { return true }
        guard output >= 0 else { return false }
        var descriptor = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) > 0 && descriptor.revents & Int16(POLLIN) != 0
    }

    /// Writes `bytes` to the child's standard input, all of them, blocking while the pipe is full.
    /// - Returns: `false` when the child no longer reads it (`EPIPE`) or it is closed.
    public func send(_ bytes: [UInt8]) -> Bool {
        guard input >= 0 else { return false }
        return bytes.withUnsafeBytes { jobq_write_all(input, $0.baseAddress, $0.count) } == 0
    }

    /// Reads the child's next line.
    /// - Parameters:
    ///   - maxBytes: the longest line accepted, newline not counted.
    ///   - stillWaiting: asked every 200 ms while nothing arrives; `false` ends the wait.
    public mutating func readLine(maxBytes: Int, stillWaiting: () -> Bool) -> Read {
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
        defer { chunk.deallocate() }
        var searched = 0
        while true {
            if let newline = pending[searched...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                return .line(line)
            }
            searched = pending.count
            if pending.count > maxBytes { return .tooLong }
            guard output >= 0 else { return .endOfFile }
            var descriptor = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Self.checkInterval)
            if ready < 0 && errno != EINTR { return .endOfFile }
            if ready <= 0 {
                if !stillWaiting() { return .gaveUp }
                continue
            }
            let count = read(output, chunk.baseAddress, chunk.count)
            if count > 0 {
                pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[..<count]))
            } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                return .endOfFile
            }
        }
    }

    /// Closes this process's copies of the child's ends, once the child has been launched (or
    /// could not be).
    public mutating func closeChildEnds() {
        if childInput >= 0 { Glibc.close(childInput) }
        if childOutput >= 0 { Glibc.close(childOutput) }
        childInput = -1
        childOutput = -1
    }

    /// Closes the child's standard input: a child that reads until end of file then finishes.
    public mutating func closeInput() {
        if input >= 0 { Glibc.close(input) }
        input = -1
    }

    /// Closes everything still open.
    public mutating func close() {
        closeChildEnds()
        closeInput()
        if output >= 0 { Glibc.close(output) }
        output = -1
        pending = []
    }
}
