import Foundation

/// Executables built by this package, found next to the test bundle (or in `JOBQ_BIN_DIR`).
public enum Binaries {
    /// The build products directory.
    public static var directory: URL {
        if let dir = ProcessInfo.processInfo.environment["JOBQ_BIN_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        // The test runner lives in <products>/<package>PackageTests.xctest (a file on Linux).
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("jobq").path) { return url }
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    /// The path of a built executable such as `jobq` or `ingest-worker`.
    public static func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }
}
