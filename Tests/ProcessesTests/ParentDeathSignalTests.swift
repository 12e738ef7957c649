import Dispatch
import Foundation
import Glibc
import Processes
import Synchronization
import Testing

/// `LaunchOptions.parentDeathSignal`: the child gets the signal when its parent goes, which Linux
/// ties to the thread that launched it.
@Suite struct ParentDeathSignalTests {
    @Test func aChildWithAParentDeathSignalGetsItWhenTheThreadThatLaunchedItEnds() throws {
        let child = try launchFromThreadThatEnds(LaunchOptions(executable: "/bin/sleep", arguments: ["60"], parentDeathSignal: SIGKILL))
        defer { _ = child.terminate(grace: .zero) }
        let exit = child.wait(timeout: .seconds(5))
        #expect(exit?.termination == .signaled(signal: SIGKILL, coreDumped: false), "\(String(describing: exit))")
    }

    @Test func aChildWithoutOneOutlivesTheThreadThatLaunchedIt() throws {
        let child = try launchFromThreadThatEnds(LaunchOptions(executable: "/bin/sleep", arguments: ["60"]))
        defer { _ = child.terminate(grace: .zero) }
        #expect(child.wait(timeout: .milliseconds(500)) == nil, "still running after its launching thread ended")
    }
}

/// Launches on a new thread, waits until that thread has ended, and returns the child.
private func launchFromThreadThatEnds(_ options: LaunchOptions) throws -> ChildProcess {
    let launched = Mutex<Result<ChildProcess, ProcessError>?>(nil)
    let ended = DispatchSemaphore(value: 0)
    let thread = Thread {
        do throws(ProcessError) {
            let child = try ChildProcess.launch(options)
            launched.withLock { $0 = .success(child) }
        } catch {
            launched.withLock { $0 = .failure(error) }
        }
        ended.signal()
    }
    thread.start()
    ended.wait()
    // The block has returned; give the thread a moment to finish exiting.
    usleep(100_000)
    return try #require(launched.withLock { $0 }).get()
}
