import Foundation
@testable import Supervisor
import Testing

/// The option parsers of `jobq supervise`, the breaker's crash window, and systemd's watchdog variables.
struct SuperviseOptionTextTests {
    @Test func sizesAcceptKilobytesMegabytesGigabytesAndBareBytes() throws {
        #expect(try ByteSizeText.parse("256M") == 256 << 20)
        #expect(try ByteSizeText.parse("512K") == 512 << 10)
        #expect(try ByteSizeText.parse("1G") == 1 << 30)
        #expect(try ByteSizeText.parse("1.5G") == 3 << 29)
        #expect(try ByteSizeText.parse("256MiB") == 256 << 20)
        #expect(try ByteSizeText.parse("64mb") == 64 << 20)
        #expect(try ByteSizeText.parse("0") == 0)
        #expect(try ByteSizeText.parse("4096") == 4096)
    }

    @Test(arguments: ["", "M", "abc", "-1M", "12X", "1..2M", "99999999999T"])
    func sizesRefuseNonsenseWithAnExample(text: String) {
        #expect {
            try ByteSizeText.parse(text)
        } throws: { error in
            (error as? SupervisorOptionError)?.code == .invalidSize
        }
    }

    @Test func sizesFormatInTheLargestWholeUnit() {
        #expect(ByteSizeText.format(256 << 20) == "256M")
        #expect(ByteSizeText.format(1 << 30) == "1G")
        #expect(ByteSizeText.format(1536 << 10) == "1536K")
        #expect(ByteSizeText.format(100) == "100")
        #expect(ByteSizeText.format(0) == "0")
    }

    @Test func cpuSharesArePercentagesOfOneCPU() throws {
        #expect(try CPUShareText.parse("25%") == 0.25)
        #expect(try CPUShareText.parse("150%") == 1.5)
        #expect(try CPUShareText.parse("12.5%") == 0.125)
        #expect(try CPUShareText.parse("50") == 0.5)
        #expect(CPUShareText.format(0.25) == "25%")
        #expect(CPUShareText.format(0.125) == "12.5%")
    }

    @Test(arguments: ["0%", "-5%", "abc", "%", "", "inf%"])
    func cpuSharesRefuseZeroNegativeAndNonNumbers(text: String) {
        #expect(throws: SupervisorOptionError.self) { try CPUShareText.parse(text) }
    }

    @Test func backoffRangesReadMinimumAndMaximum() throws {
        let range = try DurationRangeText.parse("1s..5m")
        #expect(range.min == .seconds(1) && range.max == .seconds(300))
        let fast = try DurationRangeText.parse("50ms..200ms")
        #expect(fast.min == .milliseconds(50) && fast.max == .milliseconds(200))
        let fixed = try DurationRangeText.parse("2s..2s")
        #expect(fixed.min == fixed.max)
    }

    @Test(arguments: ["5m..1s", "1s", "0s..1s", "a..b", "1s..5m..10m", "..5m"])
    func backoffRangesRefuseReversedZeroOrMalformedBounds(text: String) {
        #expect {
            try DurationRangeText.parse(text)
        } throws: { error in
            (error as? SupervisorOptionError)?.code == .invalidRange
        }
    }

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
