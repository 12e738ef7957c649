import Foundation
import Glibc

/// Reading and writing the small text files of cgroupfs, with the errno kept for messages.
enum CgroupFile {
    /// Whether `path` exists.
    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// The whole content of a small file.
    ///
    /// - Throws: ``CgroupError/Code/readFailed`` naming the file.
    static func read(_ path: String) throws(CgroupError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw CgroupError(code: .readFailed, message: "cannot read \(path)", errno: errno)
        }
        defer { close(fd) }
        var content: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                throw CgroupError(code: .readFailed, message: "cannot read \(path)", errno: errno)
            }
            if count == 0 { break }
            content.append(contentsOf: buffer[..<count])
        }
        return String(decoding: content, as: UTF8.self)
    }

    /// The content of a file, or `nil` when it cannot be read (absent on this kernel, cgroup gone).
    static func readIfPresent(_ path: String) -> String? {
        try? read(path)
    }

    /// Writes `value` to an existing file in one `write`, as cgroupfs requires.
    ///
    /// - Throws: ``CgroupError/Code/writeFailed`` naming the value and the file.
    static func write(_ value: String, to path: String) throws(CgroupError) {
        let fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
        guard fd >= 0 else {
            throw CgroupError(code: .writeFailed, message: "cannot open \(path) to write \"\(value)\"", errno: errno)
        }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        var written = 0
        repeat {
            written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        } while written < 0 && errno == EINTR
        guard written == bytes.count else {
            throw CgroupError(code: .writeFailed, message: "cannot write \"\(value)\" to \(path)", errno: written < 0 ? errno : EIO)
        }
    }

    /// Creates a directory (mode 0755) unless it exists.
    ///
    /// - Returns: `true` if it was created, `false` if it already existed.
    /// - Throws: ``CgroupError/Code/createFailed`` naming the directory.
    @discardableResult
    static func makeDirectory(_ path: String) throws(CgroupError) -> Bool {
        if mkdir(path, 0o755) == 0 { return true }
        let error = errno
        if error == EEXIST { return false }
        let remedy = (error == EACCES || error == EPERM || error == EROFS) ? "; \(CgroupError.remedy)" : ""
        throw CgroupError(code: .createFailed, message: "cannot create cgroup \(path)\(remedy)", errno: error)
    }

    /// The process ids listed in a cgroup's `cgroup.procs` (empty when it cannot be read).
    static func processIDs(in directory: String) -> [pid_t] {
        (readIfPresent(directory + "/cgroup.procs") ?? "").split(whereSeparator: \.isNewline).compactMap { pid_t($0) }
    }

    /// `key value` lines (`memory.events`, `cpu.stat`, `memory.oom_control`) as a dictionary.
    static func keyedValues(_ text: String) -> [String: UInt64] {
        var values: [String: UInt64] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: " ")
            if fields.count == 2, let value = UInt64(fields[1]) {
                values[String(fields[0])] = value
            }
        }
        return values
    }

    /// A file holding one number (`memory.peak`, `cpuacct.usage`), or `nil` if absent or not a number.
    static func number(_ path: String) -> UInt64? {
        readIfPresent(path).flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}
