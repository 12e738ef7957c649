import Foundation

/// Runs a built executable to completion and captures its output.
public struct CommandRun: Sendable {
    public var status: Int32
    public var standardOutput: String
    public var standardError: String

    /// Runs `Binaries.path(name)` with arguments, environment additions and optional stdin text.
    public static func run(_ name: String, _ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> CommandRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.path(name))
        process.arguments = arguments
        var merged = ["PATH": "/usr/bin:/bin"]
        merged.merge(environment) { $1 }
        process.environment = merged
        let output = Pipe(), errors = Pipe(), stdin = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        // Read both pipes fully before waiting, so a chatty child never blocks on a full pipe.
        let errorData = Thread.detachNewThreadAndRead(errors.fileHandleForReading)
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandRun(
            status: process.terminationStatus,
            standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData(), as: UTF8.self))
    }

    /// Standard output split into lines, without the empty last one.
    public var lines: [String] { standardOutput.split(separator: "\n").map(String.init) }
}

extension Thread {
    /// Reads a handle to its end on a new thread; the returned function waits for the result.
    static func detachNewThreadAndRead(_ handle: FileHandle) -> () -> Data {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var data = Data()
        Thread.detachNewThread {
            data = handle.readDataToEndOfFile()
            done.signal()
        }
        return {
            done.wait()
            return data
        }
    }
}
