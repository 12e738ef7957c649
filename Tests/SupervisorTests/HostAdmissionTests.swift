import Testing
@testable import Supervisor

@Suite struct HostAdmissionTests {
    @Test func incidentHostDefersWorkBecauseOfLoad() {
        let snapshot = HostFixture.probe("incident").snapshot(.admission)
        #expect(HostAdmission().check(snapshot) == .defer(reasons: [
            "load 7.61 per CPU is above --max-load 1.5 (1-minute load 7.61 on 1 CPU)",
        ]))
    }

    @Test func calmHostAdmitsWork() {
        let snapshot = HostFixture.probe("healthy").snapshot(.admission)
        #expect(snapshot.pressure?.cpu != nil, "the calm host has PSI, so the pressure limit is exercised")
        #expect(HostAdmission().check(snapshot) == .admit)
    }

    @Test func highCPUPressureAndLowMemoryDeferWorkEvenAtLowLoad() throws {
        let host = try ScratchHostRoot()
        try host.write("proc/loadavg", "0.50 0.40 0.30 1/100 200\n")
        try host.write("sys/devices/system/cpu/online", "0-1\n")
        try host.write("proc/meminfo", "MemTotal: 1048576 kB\nMemAvailable: 102400 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n")
        try host.write("proc/pressure/cpu", "some avg10=72.50 avg60=40.00 avg300=10.00 total=1\n")
        let decision = HostAdmission().check(host.probe().snapshot(.admission))
        #expect(decision == .defer(reasons: [
            "CPU pressure 72.5 % is above --max-cpu-pressure 40 (share of the last 10 s in which some task waited for a CPU)",
            "available memory 100 MiB is below --min-available 200M",
        ]))
    }

    @Test func loadLimitIsPerCPU() throws {
        let host = try ScratchHostRoot()
        try host.write("proc/loadavg", "3.00 1.00 1.00 1/100 200\n")
        try host.write("sys/devices/system/cpu/online", "0-1\n")
        let snapshot = host.probe().snapshot(.admission)
        #expect(HostAdmission().check(snapshot) == .admit, "3.0 on 2 CPUs is exactly 1.5 per CPU")
        let strict = HostAdmission(configuration: .init(maxLoadPerCPU: 1.2))
        #expect(strict.check(snapshot) == .defer(reasons: ["load 1.50 per CPU is above --max-load 1.2 (1-minute load 3.00 on 2 CPUs)"]))
    }

    @Test func missingFiguresImposeNoLimit() throws {
        let host = try ScratchHostRoot()
        #expect(HostAdmission().check(host.probe().snapshot(.admission)) == .admit)
    }
}
