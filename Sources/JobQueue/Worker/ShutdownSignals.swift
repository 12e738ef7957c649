import Dispatch
import Foundation
import Synchronization

/// Turns SIGTERM and SIGINT into a graceful-stop call, for long-running processes.
///
/// The first SIGTERM or SIGINT calls `onStop` (on a dispatch queue, not in signal context); a
/// second SIGINT exits at once with status 130 (work in hand is then recovered through its lease).
public final class ShutdownSignals {
    private let sources: [any DispatchSourceSignal]

    /// Installs the handlers. Keep the returned object alive for as long as they should apply.
    public init(onStop: @escaping @Sendable (Int32) -> Void) {
        var sources: [any DispatchSourceSignal] = []
        let counter = Atomic<Int>(0)
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                let count = counter.add(1, ordering: .relaxed).newValue
                if count > 1 && signalNumber == SIGINT {
                    FileHandle.standardError.write(Data("second interrupt: exiting now\n".utf8))
                    exit(130)
                }
                onStop(signalNumber)
            }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    /// Removes the handlers and restores the default actions.
    public func cancel() {
        for source in sources { source.cancel() }
        signal(SIGTERM, SIG_DFL)
        signal(SIGINT, SIG_DFL)
    }
}
