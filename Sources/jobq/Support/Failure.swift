import ArgumentParser
import Foundation
import HumanUnits
import RedisClient

/// Runs a command body; any error becomes one line on stderr and exit status 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch let error as any (Error & CustomStringConvertible) {
        printError(error.description)
        throw ExitCode(1)
    } catch {
        printError(String(describing: error))
        throw ExitCode(1)
    }
}

/// Prints `jobq: message` on stderr, any credential in it masked.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("jobq: \(SecretRedaction.redact(message))\n".utf8))
}

/// A usage problem found while running (not by the parser), reported like other errors.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Parses a duration option.
func parseDuration(_ text: String, option: String) throws -> Duration {
    do {
        return try DurationText.parse(text)
    } catch {
        throw ValidationError("\(option): \(error)")
    }
}
