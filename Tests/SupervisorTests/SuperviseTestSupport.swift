import Dispatch
import Foundation
import Glibc
import JobQueue
import JobqTestSupport
import Logging
import Processes
import RedisClient
@testable import Supervisor
import Synchronization

/// A supervisor running `run()` on a thread of its own, as a process's main thread would.
final class SupervisorThread: Sendable {
    let supervisor: Supervisor
    private let finished = DispatchSemaphore(value: 0)
    private let outcome = Mutex<Result<Supervisor.ExitReason, SupervisorError>?>(nil)

    init(_ supervisor: Supervisor) {
        self.supervisor = supervisor
        let thread = Thread { [self] in
            let result: Result<Supervisor.ExitReason, SupervisorError>
            do throws(SupervisorError) {
                result = .success(try supervisor.run())
            } catch {
                result = .failure(error)
            }
            outcome.withLock { $0 = result }
            finished.signal()
        }
        thread.name = "test-supervisor"
        thread.start()
    }

    /// Waits for `run()` to return; `nil` if it is still running after `timeout`.
    func result(timeout: Duration = .seconds(10)) -> Result<Supervisor.ExitReason, SupervisorError>? {
        guard finished.wait(timeout: .now() + .nanoseconds(Int(timeout.nanosecondsClamped))) == .success else { return nil }
        finished.signal()
        return outcome.withLock { $0 }
    }

    /// Stops the supervisor and waits for `run()` to return.
    @discardableResult
    func stop(timeout: Duration = .seconds(10)) -> Result<Supervisor.ExitReason, SupervisorError>? {
        supervisor.stop(reason: "test finished")
        return result(timeout: timeout)
    }
}

/// Settings that make the supervisor react within a fraction of a second.
func fastSupervisorConfiguration() -> Supervisor.Configuration {
    var configuration = Supervisor.Configuration()
    configuration.tickInterval = .milliseconds(100)
    configuration.backoff = Backoff(base: .milliseconds(50), cap: .milliseconds(200))
    configuration.standbyRetry = .milliseconds(200)
    configuration.admissionRecheck = .milliseconds(100)
    configuration.lockTTL = .seconds(3)
    configuration.stopTimeout = .seconds(3)
    configuration.crashWindow = .seconds(60)
    configuration.useCgroups = realCgroupV1SkipReason == nil
    return configuration
}

/// A quiet logger for supervisors under test: warnings and worse only.
let supervisorTestLogger: Logger = {
    var logger = Logger(label: "test.supervisor")
    logger.logLevel = .warning
    return logger
}()

/// The example worker's command line for a queue: runs jobs until idle for `idleExit` seconds.
func exampleWorkerCommand(_ queue: Queue, jobMilliseconds: Int = 0, idleExit: Int = 1, log: String? = nil) -> [String] {
    var command = [Binaries.path("example-worker"), "work", queue.name.rawValue, "--idle-exit", String(idleExit)]
    if jobMilliseconds > 0 { command += ["--job-ms", String(jobMilliseconds)] }
    if let log { command += ["--log", log] }
    return command
}

/// Enqueues `count` jobs the example worker understands; returns their ids.
@discardableResult
func enqueueExampleJobs(_ queue: Queue, count: Int) throws -> [String] {
    try queue.enqueue(batch: (0..<count).map { NewJob(payload: #"{"n":\#($0)}"#, options: EnqueueOptions(type: "example")) }).map(\.id)
}

/// Process ids of running (not zombie) processes whose program name ends with `program` and whose
/// arguments contain every one of `words`.
func processIDs(running program: String, withArguments words: [String]) -> [pid_t] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry -> pid_t? in
        guard let pid = pid_t(entry), pid != getpid(),
              let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), !data.isEmpty else { return nil }
        let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        guard arguments.first?.hasSuffix(program) == true,
              let state = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
              let close = state.lastIndex(of: ")"), state[state.index(close, offsetBy: 2)] != "Z" else { return nil }
        return words.allSatisfy { word in arguments.dropFirst().contains { $0.contains(word) } } ? pid : nil
    }
}

/// The example-worker processes of a queue now running.
func exampleWorkers(of queue: Queue) -> [pid_t] {
    processIDs(running: "example-worker", withArguments: [queue.name.rawValue])
}

/// The queue's worker parent cgroup directories that exist now (there should be none once its
/// supervisor stopped).
func leftoverCgroupDirectories(of queue: Queue) -> [String] {
    guard let system = try? CgroupSystem.detect() else { return [] }
    let bases = Set(system.usableControllers.values.map(\.baseDirectory))
    return bases.map { $0 + "/jobq-\(queue.name.rawValue)" }.filter { FileManager.default.fileExists(atPath: $0) }
}

/// The names of the worker cgroups (subdirectories) inside the queue's worker parent cgroups now,
/// one per worker whatever the number of hierarchies.
func workerCgroupNames(of queue: Queue) -> Set<String> {
    Set(leftoverCgroupDirectories(of: queue).flatMap { parent in
        ((try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []).filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: parent + "/" + name, isDirectory: &isDirectory) && isDirectory.boolValue
        }
    })
}

/// CPU time a process's threads have run so far, in nanoseconds, from each
/// `/proc/<pid>/task/<tid>/schedstat` (far finer than clock ticks).
func cpuNanoseconds(of pid: pid_t) -> UInt64? {
    guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return nil }
    return tasks.reduce(UInt64(0)) { total, task in
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/schedstat", encoding: .utf8)) ?? ""
        return total + (text.split(separator: " ").first.flatMap { UInt64($0) } ?? 0)
    }
}

/// A `jobq` process started by a test, with the test Redis in its environment and its output kept.
struct JobqProcess {
    let child: ChildProcess

    init(_ arguments: [String]) throws {
        var environment = ProcessInfo.processInfo.environment
        environment["JOBQ_REDIS_URL"] = try TestRedis.url()
        child = try ChildProcess.launch(LaunchOptions(
            executable: Binaries.path("jobq"), arguments: arguments, environment: environment,
            standardOutput: .captureTail(maxBytes: 64 * 1024), standardError: .captureTail(maxBytes: 64 * 1024)
        ))
    }

    var pid: pid_t { child.pid }
    var standardOutput: String { String(decoding: child.standardOutputTail, as: UTF8.self) }
    var standardError: String { String(decoding: child.standardErrorTail, as: UTF8.self) }

    /// Waits for it to exit, killing it after `timeout`.
    func finish(timeout: Duration = .seconds(15)) -> ProcessExit {
        child.wait(timeout: timeout) ?? child.terminate(grace: .seconds(1))
    }
}

/// Runs `jobq` to completion.
func runJobq(_ arguments: [String], timeout: Duration = .seconds(15)) throws -> (exit: ProcessExit, output: String, error: String) {
    let process = try JobqProcess(arguments)
    let exit = process.finish(timeout: timeout)
    return (exit, process.standardOutput, process.standardError)
}
