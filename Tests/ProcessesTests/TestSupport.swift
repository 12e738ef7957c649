import Foundation
import Glibc
import Processes

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/jobq-processes-test-XXXXXX").utf8CString)
        guard let created = mkdtemp(&template) else {
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        path = String(cString: created)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

/// Pids of processes that are alive (not zombies) and belong to process group `group`.
func liveProcesses(inGroup group: pid_t) -> [pid_t] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry -> pid_t? in
        guard let pid = pid_t(entry), let fields = statFields(pid), fields.state != "Z", fields.group == group else {
            return nil
        }
        return pid
    }
}

/// Whether `pid` is a process that has not yet exited (a zombie counts as exited).
func isAlive(_ pid: pid_t) -> Bool {
    guard let fields = statFields(pid) else { return false }
    return fields.state != "Z"
}

/// State letter and process group from `/proc/<pid>/stat`.
func statFields(_ pid: pid_t) -> (state: Character, group: pid_t)? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let commandEnd = stat.lastIndex(of: ")") else { return nil }
    let rest = stat[stat.index(after: commandEnd)...].split(separator: " ")
    guard rest.count > 3, let state = rest[0].first, let group = pid_t(rest[2]) else { return nil }
    return (state, group)
}

extension ChildProcess {
    var standardOutputText: String { String(decoding: standardOutputTail, as: UTF8.self) }
    var standardErrorText: String { String(decoding: standardErrorTail, as: UTF8.self) }
}

/// Launches `/bin/sh -c script` with captured output.
func shell(
    _ script: String,
    environment: [String: String]? = nil,
    standardInput: LaunchOptions.StandardInput = .empty
) throws -> ChildProcess {
    try ChildProcess.launch(LaunchOptions(
        executable: "/bin/sh",
        arguments: ["-c", script],
        environment: environment,
        standardInput: standardInput,
        standardOutput: .captureTail(maxBytes: 64 * 1024),
        standardError: .captureTail(maxBytes: 64 * 1024)
    ))
}
