import Foundation
import HumanUnits

/// Text read from a file or stdin (`-`) for `jobq enqueue`, refused by size before it is read
/// whole: a 50 MB file meant for a 1 MiB message costs a stat, not 50 MB of memory.
enum InputFile {
    /// Reads `path` (or stdin for `-`) as UTF-8 text.
    /// - Parameter limit: the most bytes accepted; `nil` for no limit.
    /// - Throws: ``CommandFailure`` `.unreadableInput` with the system's reason (`No such file or
    ///   directory`), `.invalidInput` when the input is larger than `limit`.
    static func read(_ path: String, limit: Int?, purpose: String) throws -> String {
        let descriptor = path == "-" ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw unreadable(path) }
        defer { if descriptor != STDIN_FILENO { close(descriptor) } }
        var status = stat()
        if let limit, fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, Int(status.st_size) > limit {
            throw tooLarge(path, size: Int(status.st_size), limit: limit, purpose: purpose)
        }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw unreadable(path)
            }
            if count == 0 { break }
            data.append(contentsOf: buffer[0..<count])
            if let limit, data.count > limit { throw tooLarge(path, size: nil, limit: limit, purpose: purpose) }
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CommandFailure(.unreadableInput, "\(name(path)) is not UTF-8 text")
        }
        return text
    }

    private static func name(_ path: String) -> String {
        path == "-" ? "stdin" : path
    }

    private static func unreadable(_ path: String) -> CommandFailure {
        CommandFailure(.unreadableInput, "cannot read \(name(path)): \(String(cString: strerror(errno)))")
    }

    private static func tooLarge(_ path: String, size: Int?, limit: Int, purpose: String) -> CommandFailure {
        let most = ByteSizeText.readable(UInt64(limit))
        let actual = size.map { ByteSizeText.readable(UInt64($0)) } ?? "more than \(most)"
        return CommandFailure(.invalidInput, "\(name(path)) is \(actual); \(purpose) is at most \(most); nothing was enqueued")
    }
}
