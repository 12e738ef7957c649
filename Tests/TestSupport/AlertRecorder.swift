import Foundation
import Glibc

/// An alert command for tests: a shell script that records each run (its arguments, its
/// environment, the event on its stdin) in a directory of its own, then behaves as asked.
public final class AlertRecorder: Sendable {
    /// What the script does after recording.
    public enum Behaviour: Sendable {
        /// Exits 0.
        case succeed
        /// Writes to stderr and exits 1.
        case fail
        /// Sleeps this many seconds (longer than any alert timeout), then exits 0.
        case hang(seconds: Int)
    }

    /// One recorded run.
    public struct Run: Sendable {
        /// The arguments after `argv[0]`.
        public var arguments: [String]
        /// The environment, `NAME=value` lines.
        public var environment: String
        /// What it read on stdin.
        public var input: String
        /// `input` parsed as a JSON object (empty when it is not one).
        public var event: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(input.utf8))) as? [String: Any] ?? [:]
        }

        /// The event's `kind`.
        public var kind: String? { event["kind"] as? String }
        /// The event's `queue`.
        public var queue: String? { event["queue"] as? String }
        /// The event's `suppressed`.
        public var suppressed: Int? { event["suppressed"] as? Int }
        /// The event's `details`.
        public var details: [String: String] { event["details"] as? [String: String] ?? [:] }
    }

    /// The directory the runs are recorded in.
    public let directory: String
    /// The script's path: give it as `--alert-exec`.
    public let path: String

    /// Writes the script into a new temporary directory.
    public init(_ behaviour: Behaviour = .succeed) throws {
        directory = NSTemporaryDirectory() + "/jobq-alerts-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/alert"
        let then = switch behaviour {
        case .succeed: "exit 0"
        case .fail: "echo 'webhook refused: HTTP 500' >&2; exit 1"
        case .hang(let seconds): "exec sleep \(seconds)"
        }
        // The event file appears last, whole (mv), so a reader that sees it sees the others too.
        try """
            #!/bin/sh
            run="\(directory)/run-$(date +%s%N)-$$"
            printf '%s\\n' "$@" > "$run.args"
            env > "$run.env"
            cat > "$run.part" && mv "$run.part" "$run.json"
            \(then)

            """.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// The runs recorded so far, oldest first.
    public func runs() -> [Run] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".json") }
        return names.sorted { sequence($0) < sequence($1) }.compactMap { name in
            let stem = directory + "/" + name.dropLast(5)
            guard let input = try? String(contentsOfFile: stem + ".json", encoding: .utf8) else { return nil }
            let arguments = ((try? String(contentsOfFile: stem + ".args", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
            let environment = (try? String(contentsOfFile: stem + ".env", encoding: .utf8)) ?? ""
            return Run(arguments: arguments, environment: environment, input: input)
        }
    }

    /// The runs recorded so far whose kind is `kind`.
    public func runs(_ kind: String) -> [Run] {
        runs().filter { $0.kind == kind }
    }

    /// `run-<nanoseconds>-<pid>.json` → the nanoseconds, for ordering.
    private func sequence(_ name: String) -> Int {
        Int(name.split(separator: "-").dropFirst().first ?? "") ?? 0
    }
}
