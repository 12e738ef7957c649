import Foundation
import Glibc
import JobQueue
import JobqTestSupport
@testable import Supervisor
import Testing

/// systemd's notification protocol, received on a real Unix datagram socket bound by the test.
@Suite(.serialized)
struct SuperviseNotifyTests {
    /// A bound datagram socket: a path, or an abstract name when it starts with `@`.
    final class NotifySocket {
        let name: String
        let fd: Int32

        init(name: String) throws {
            self.name = name
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            var path = Array(name.utf8)
            if path.first == UInt8(ascii: "@") { path[0] = 0 }
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
            let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (path.first == 0 ? 0 : 1))
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
            }
            guard result == 0 else { throw TestFailure("bind \(name): errno \(errno)") }
        }

        deinit {
            close(fd)
            if !name.hasPrefix("@") { unlink(name) }
        }

        /// The datagrams that arrive within `timeout`, until `stop` says enough.
        func receive(timeout: Duration, until stop: ([String]) -> Bool) -> [String] {
            var messages: [String] = []
            let deadline = ContinuousClock.now + timeout
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !stop(messages) {
                let remaining = deadline - ContinuousClock.now
                guard remaining > .zero else { break }
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000)) > 0 else { continue }
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count > 0 { messages.append(String(decoding: buffer[..<count], as: UTF8.self)) }
            }
            return messages
        }
    }

    @Test func readyStatusWatchdogAndStoppingReachAnAbstractNotifySocket() throws {
        let socket = try NotifySocket(name: "@jobq-test-notify-\(UUID().uuidString)")
        let queue = try TestRedis.queue()
        var configuration = fastSupervisorConfiguration()
        configuration.notifySocket = socket.name
        configuration.watchdogInterval = .milliseconds(100)
        let running = SupervisorThread(Supervisor(queue: queue, command: exampleWorkerCommand(queue), configuration: configuration, logger: supervisorTestLogger))

        let early = socket.receive(timeout: .seconds(5)) { messages in
            messages.contains("READY=1") && messages.contains { $0.hasPrefix("STATUS=sleeping") } && messages.filter { $0 == "WATCHDOG=1" }.count >= 3
        }
        #expect(early.contains("READY=1"))
        #expect(early.contains("STATUS=sleeping: no waiting jobs"))
        #expect(early.filter { $0 == "WATCHDOG=1" }.count >= 3, "\(early)")
        #expect(running.stop() != nil)
        let late = socket.receive(timeout: .seconds(2)) { $0.contains("STOPPING=1") }
        #expect(late.contains("STATUS=stopped: test finished"), "\(late)")
        #expect(late.contains("STOPPING=1"))
    }

    @Test func aNotificationReachesAPathSocket() throws {
        let path = NSTemporaryDirectory() + "/jobq-notify-\(UUID().uuidString.prefix(8)).sock"
        let socket = try NotifySocket(name: path)
        let notifier = try #require(SystemdNotifier(socket: path))
        #expect(notifier.send("STATUS=running: worker 7"))
        #expect(socket.receive(timeout: .seconds(2)) { !$0.isEmpty } == ["STATUS=running: worker 7"])
    }

    @Test func sendingToAMissingSocketFailsQuietly() {
        let notifier = SystemdNotifier(socket: NSTemporaryDirectory() + "/jobq-no-such-socket-\(UUID().uuidString)")
        #expect(notifier?.send("READY=1") == false)
    }
}
