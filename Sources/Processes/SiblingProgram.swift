import Foundation
import Glibc

/// Another program installed beside the running one (`jobq web` runs `jobq-web` this way, so the
/// `jobq` binary does not carry the HTTP server).
public enum SiblingProgram {
    /// The path `name` has in the directory of the running executable (`/proc/self/exe`, so a
    /// symlink to `jobq` on `PATH` still finds the real installation).
    public static func path(_ name: String) -> String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Replaces this process with the sibling program `name`, with `arguments` and the same
    /// environment and file descriptors; returns only by throwing.
    /// - Throws: ``ProcessError`` `.executableNotFound` when it is not installed beside this one,
    ///   `.spawnFailed` when `execv` fails.
    public static func exec(_ name: String, arguments: [String]) throws(ProcessError) -> Never {
        let program = path(name)
        guard access(program, X_OK) == 0 else {
            throw ProcessError(
                code: .executableNotFound,
                message: "\(name) is not installed beside this program (looked for \(program)): install it from the same build",
                errno: errno)
        }
        var argv = try CStringArray([program] + arguments, describing: "an argument")
        execv(program, argv.pointers)
        let failure = errno
        argv.free()
        throw ProcessError(code: .spawnFailed, message: "cannot run \(program)", errno: failure)
    }
}
