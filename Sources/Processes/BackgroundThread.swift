import Foundation

/// Runs `body` on a new dedicated thread, never on Swift's cooperative pool, so it may block.
func startBackgroundThread(named name: String, _ body: @escaping @Sendable () -> Void) {
    let thread = Thread(block: body)
    thread.name = name
    thread.start()
}
