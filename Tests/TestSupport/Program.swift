import Foundation

/// How a program run by a test ended.
public struct ProgramRun: Sendable {
    /// The exit status (128 + N when killed by signal N).
    public var status: Int32
    /// Everything it wrote to stdout.
    public var output: String
    /// Everything it wrote to stderr.
    public var errors: String
}

/// Programs run as real child processes, their output kept in files so that no pipe can fill up.
public enum Program {
    /// A search path with the usual system directories, for scripts that call standard tools.
    public static let systemPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Runs `executable` to completion, killing it if it takes longer than `timeout`.
    /// - Throws: when it cannot be started, or ``TestFailure`` when it had to be killed.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = ["PATH": systemPath],
        standardInput: String? = nil, timeout: Duration = .seconds(20)
    ) throws -> ProgramRun {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outputURL = directory.appendingPathComponent("stdout")
        let errorsURL = directory.appendingPathComponent("stderr")
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil),
              FileManager.default.createFile(atPath: errorsURL.path, contents: nil)
        else { throw TestFailure("cannot create output files in \(directory.path)") }
        let output = try FileHandle(forWritingTo: outputURL)
        let errors = try FileHandle(forWritingTo: errorsURL)
        defer {
            try? output.close()
            try? errors.close()
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = output
        process.standardError = errors
        let input = Pipe()
        process.standardInput = standardInput == nil ? FileHandle.nullDevice : input
        try process.run()
        if let standardInput {
            input.fileHandleForWriting.write(Data(standardInput.utf8))
            try input.fileHandleForWriting.close()
        }
        let finished = eventually(timeout: timeout) { !process.isRunning }
        if !finished {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw TestFailure("\(executable) \(arguments.joined(separator: " ")) ran longer than \(timeout) and was killed")
        }
        process.waitUntilExit()
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return ProgramRun(
            status: status,
            output: (try? String(contentsOf: outputURL, encoding: .utf8)) ?? "",
            errors: (try? String(contentsOf: errorsURL, encoding: .utf8)) ?? "")
    }

    /// The first executable called `name` in `searchPath`, or nil.
    public static func find(_ name: String, searchPath: String = ProcessInfo.processInfo.environment["PATH"] ?? systemPath) -> String? {
        (searchPath.split(separator: ":") + systemPath.split(separator: ":"))
            .map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// The Python interpreter the example scripts run with.
public enum Python {
    /// The real path of the `python3` on this process's PATH (not a wrapper script), or nil.
    public static let interpreter: String? = {
        guard let python = Program.find("python3"),
              let run = try? Program.run(python, ["-c", "import sys; print(sys.executable)"], environment: ProcessInfo.processInfo.environment),
              run.status == 0
        else { return nil }
        let path = run.output.trimmingCharacters(in: .whitespacesAndNewlines)
        return path.isEmpty ? nil : path
    }()

    /// Whether redis-py is importable, which `Examples/enqueue.py` needs.
    public static let hasRedisClient = canImport("redis")

    /// Whether the interpreter can import `module`.
    public static func canImport(_ module: String) -> Bool {
        guard let interpreter, let run = try? Program.run(interpreter, ["-c", "import \(module)"]) else { return false }
        return run.status == 0
    }
}
