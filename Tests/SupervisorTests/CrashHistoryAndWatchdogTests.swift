import Foundation
@testable import Supervisor
import Testing

/// The breaker's crash window, and systemd's watchdog and notify variables.
struct CrashHistoryAndWatchdogTests {
    @Test func crashesOlderThanTheWindowStopCounting() {
        var history = CrashHistory()
        let start = ContinuousClock.now
        history.record(at: start, jobs: [])
        history.record(at: start + .seconds(5), jobs: ["a"])
        history.record(at: start + .seconds(9), jobs: [])
        #expect(history.count(since: start) == 3)
        #expect(history.count(since: start + .seconds(1)) == 2)
        #expect(history.count(since: start) == 2, "dropped crashes do not come back")
    }

    @Test func aJobQuarantinedAsPoisonIsForgivenEveryCrashItWasInHandFor() {
        var history = CrashHistory()
        let now = ContinuousClock.now
        history.record(at: now, jobs: ["poison"])
        history.record(at: now, jobs: ["other"])
        history.record(at: now, jobs: [])
        history.record(at: now, jobs: ["poison", "bystander"])
        history.forgive(jobs: ["poison"])
        #expect(history.count(since: now) == 2)
    }

    @Test func watchdogPingsAtHalfOfWatchdogUsecForThisProcessOnly() {
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "20000000"], pid: 42) == .seconds(10))
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "42"], pid: 42) == .seconds(10))
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "7"], pid: 42) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "0"], pid: 42) == nil)
        #expect(SystemdNotifier.watchdogInterval(environment: [:], pid: 42) == nil)
    }

    @Test func anEmptyOrOversizedNotifySocketSendsNothing() {
        #expect(SystemdNotifier(socket: nil) == nil)
        #expect(SystemdNotifier(socket: "") == nil)
        #expect(SystemdNotifier(socket: "/" + String(repeating: "x", count: 200)) == nil)
        #expect(SystemdNotifier(socket: "/run/systemd/notify") != nil)
    }
}
