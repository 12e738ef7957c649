import Foundation
@testable import Supervisor

#if canImport(Glibc)
import Glibc
#endif

/// Kills a child process and reaps it. SIGKILL, because children launched from test threads
/// inherit a signal mask that blocks SIGTERM.
func stop(_ process: Process) {
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
}

/// Recorded hosts under `Fixtures/`, located from this source file so no resource bundle is needed.
enum HostFixture {
    /// The directory of a recorded host (`incident`, `healthy`).
    static func root(_ name: String, filePath: String = #filePath) -> String {
        URL(fileURLWithPath: filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent(name).path
    }

    /// A probe that replays a recorded host, running its stand-in `systemctl` and `df`.
    static func probe(_ name: String, diskPaths: [String] = ["/", "/var/lib/redis"]) -> HostProbe {
        let root = root(name)
        return HostProbe(configuration: .init(
            root: root, searchPath: "\(root)/bin", diskPaths: diskPaths, clockTicksPerSecond: 100
        ))
    }
}

/// A scratch host root in a fresh temporary directory, removed when the value is released.
final class ScratchHostRoot {
    /// The directory that stands for `/`.
    let path: String

    init() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("jobq-host-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.path
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `contents` to `relativePath` below the root, creating directories.
    func write(_ relativePath: String, _ contents: String) throws {
        let url = URL(fileURLWithPath: path).appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true
        )
        try Data(contents.utf8).write(to: url)
    }

    /// Writes an executable bash script to `bin/<name>`; it finds other tools on /usr/bin:/bin.
    func writeCommand(_ name: String, script: String) throws {
        try write("bin/\(name)", "#!/bin/bash\nPATH=/usr/bin:/bin\n" + script + "\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(path)/bin/\(name)")
    }

    /// A probe reading this root, with commands only from its `bin` directory.
    func probe(diskPaths: [String] = ["/"], timeout: Duration = .seconds(5)) -> HostProbe {
        HostProbe(configuration: .init(
            root: path, searchPath: "\(path)/bin", diskPaths: diskPaths, commandTimeout: timeout,
            clockTicksPerSecond: 100
        ))
    }
}

extension DiagnosisReport {
    /// The findings with the given code.
    func findings(_ code: Finding.Code) -> [Finding] {
        findings.filter { $0.code == code }
    }
}
