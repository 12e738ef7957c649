import CJobqSystem
import Glibc

/// Writes a payload into the child's standard input pipe on a dedicated thread, then closes it.
enum StandardInputFeeder {
    /// Takes ownership of `fd`. A child that exits or closes its input early just ends the write
    /// (`EPIPE`, with `SIGPIPE` kept from this process).
    static func start(bytes: [UInt8], fd: Int32, pid: pid_t) {
        startBackgroundThread(named: "jobq-stdin-\(pid)") {
            _ = bytes.withUnsafeBytes { buffer in
                jobq_write_all(fd, buffer.baseAddress, buffer.count)
            }
            close(fd)
        }
    }
}
