import CJobqSystem
import Dispatch
import Glibc

/// Reads the parent's ends of captured pipes on one dedicated thread until every writer closed them.
enum OutputCapture {
    /// Starts the reader; `finished` is entered now and left once all streams reached end of file.
    /// The reader owns the descriptors and closes them.
    static func start(streams: [(fd: Int32, tail: OutputTail)], pid: pid_t, finished: DispatchGroup) {
        finished.enter()
        startBackgroundThread(named: "jobq-capture-\(pid)") {
            readUntilEndOfFile(streams)
            finished.leave()
        }
    }

    private static func readUntilEndOfFile(_ streams: [(fd: Int32, tail: OutputTail)]) {
        var open = streams
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
        defer { buffer.deallocate() }
        while !open.isEmpty {
            var pollSet = open.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            if poll(&pollSet, nfds_t(pollSet.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            var stillOpen: [(fd: Int32, tail: OutputTail)] = []
            for (index, stream) in open.enumerated() {
                guard pollSet[index].revents != 0 else {
                    stillOpen.append(stream)
                    continue
                }
                let count = read(stream.fd, buffer.baseAddress, buffer.count)
                if count > 0 {
                    let chunk = UnsafeRawBufferPointer(rebasing: buffer[..<count])
                    stream.tail.append(chunk)
                    if let forward = stream.tail.forwardDescriptor { _ = jobq_write_all(forward, chunk.baseAddress, chunk.count) }
                    stillOpen.append(stream)
                } else if count < 0 && (errno == EINTR || errno == EAGAIN) {
                    stillOpen.append(stream)
                } else {
                    close(stream.fd)
                }
            }
            open = stillOpen
        }
        for stream in open {
            close(stream.fd)
        }
    }
}
