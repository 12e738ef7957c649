import ArgumentParser
import Foundation
import HumanUnits
import JobQueue
import RedisClient

/// The exit statuses of jobq commands, as the table in docs/operations.md lists them. Commands with
/// statuses of their own (diagnose, emergency-stop, supervise) document them in that table too.
enum JobqExitStatus {
    /// The command failed: Redis unreachable, a job not found, input that is not valid.
    static let failure: Int32 = 1
    /// `jobq enqueue --unique KEY` refused the job: another job holds the key.
    static let uniqueKeyHeld: Int32 = 5
    /// `jobq enqueue --durable`: the jobs were written on the master but no replica confirmed
    /// them in time; a failover now could lose them.
    static let notReplicated: Int32 = 6
    /// Redis is at `maxmemory` and refused the write (`OOM`); nothing of the refused call was
    /// written. 75 (`EX_TEMPFAIL`): trying again once memory is freed succeeds.
    static let outOfMemory: Int32 = 75
    /// Bad usage: an unknown option, a bad value, an invalid queue name or Redis URL (EX_USAGE,
    /// the status the argument parser uses).
    static let usage: Int32 = 64
}

/// Runs a command body; any error becomes one line on stderr and its exit status: 64 for usage
/// errors (``UsageError``, an invalid queue name, an unusable Redis URL), 1 for the others.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch let error as any (Error & CustomStringConvertible) {
        printError(error.description)
        throw ExitCode(exitStatus(for: error))
    } catch {
        printError(String(describing: error))
        throw ExitCode(JobqExitStatus.failure)
    }
}

/// The exit status an error ends a command with.
func exitStatus(for error: any Error) -> Int32 {
    switch error {
    case let error as EnqueueRefused:
        return exitStatus(for: error.cause)
    case is UsageError:
        return JobqExitStatus.usage
    case let error as RedisError where error.code == .invalidConfiguration:
        return JobqExitStatus.usage
    case let error as JobQueueError where error.code == .invalidQueueName || error.code == .invalidSchedule
        || error.redisError?.code == .invalidConfiguration:
        return JobqExitStatus.usage
    case let error as JobQueueError where error.code == .notReplicated:
        return JobqExitStatus.notReplicated
    default:
        // Redis may evict keys and the command was not allowed to run on it (no `--allow-eviction`):
        // 78 (`EX_CONFIG`), as every jobq process refused this way.
        let cause = (error as? EnqueueRefused)?.cause ?? error
        if let status = JobQueueError.evictionRefusalExitStatus(for: cause) { return status }
        return redisCode(of: error) == .outOfMemory ? JobqExitStatus.outOfMemory : JobqExitStatus.failure
    }
}

/// The code of the Redis error behind an error, if one is.
func redisCode(of error: any Error) -> RedisError.Code? {
    if let refused = error as? EnqueueRefused { return redisCode(of: refused.cause) }
    return JobQueueError.redisError(behind: error)?.code
}

/// Prints `jobq: message` on stderr, any credential in it masked.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("jobq: \(SecretRedaction.redact(message))\n".utf8))
}

/// A usage problem found while running (not by the parser): exit status 64, like the parser's.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A command that could not do what it was asked, for a reason that is not bad usage (a job not
/// found, a file that cannot be read): exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    /// What kind of failure this is.
    struct Code: Hashable, CustomStringConvertible {
        /// Short identifier, stable across releases.
        let name: String
        var description: String { name }

        /// The job, queue or dead letter named does not exist.
        static let notFound = Code(name: "notFound")
        /// An input file or stdin cannot be read, or is not UTF-8 text.
        static let unreadableInput = Code(name: "unreadableInput")
        /// The input was read but cannot be enqueued: a bad line, a payload over the size limit.
        static let invalidInput = Code(name: "invalidInput")
    }

    /// The kind of failure.
    let code: Code
    /// One line a person can act on.
    let description: String

    init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}

/// Parses a duration option; a negative one is refused with words, not as "not a duration".
func parseDuration(_ text: String, option: String) throws -> Duration {
    if text.trimmingCharacters(in: .whitespaces).hasPrefix("-") {
        throw ValidationError("\(option): negative durations are not allowed ('\(text)')")
    }
    do {
        return try DurationText.parse(text)
    } catch {
        throw ValidationError("\(option): \(error)")
    }
}
