import Testing
@testable import Supervisor

@Suite struct HostParsingTests {
    @Test(arguments: [
        ("10s", 10_000_000), ("100ms", 100_000), ("1min 30s", 90_000_000), ("1min30s", 90_000_000),
        ("5 min", 300_000_000), ("2h", 7_200_000_000), ("1.5s", 1_500_000), ("500us", 500), ("7µs", 7),
        ("1d 2h", 93_600_000_000), ("2w", 1_209_600_000_000), ("0", 0), ("30", 30_000_000),
    ] as [(String, UInt64)])
    func systemdTimeSpansParseToMicroseconds(text: String, microseconds: UInt64) {
        #expect(SystemdTimeSpan(parsing: text) == .finite(microseconds: microseconds))
    }

    @Test func systemdInfinityParsesAndOutlastsEveryFiniteSpan() throws {
        let infinity = try #require(SystemdTimeSpan(parsing: "infinity"))
        #expect(infinity == .infinity)
        #expect(infinity.seconds == nil)
        #expect(SystemdTimeSpan.finite(microseconds: .max) < infinity)
        #expect(infinity.disablesLimit)
        #expect(SystemdTimeSpan.finite(microseconds: 0).disablesLimit)
        #expect(!SystemdTimeSpan.finite(microseconds: 1).disablesLimit)
    }

    @Test(arguments: ["", "abc", "10 parsecs", "-5s", "inf", "nan", "s", "1e3", "10s garbage"])
    func malformedSystemdTimeSpansAreRejected(text: String) {
        #expect(SystemdTimeSpan(parsing: text) == nil)
    }

    @Test func systemdTimeSpansPrintLikeSystemd() {
        #expect(SystemdTimeSpan.finite(microseconds: 90_000_000).description == "1min 30s")
        #expect(SystemdTimeSpan.finite(microseconds: 100_000).description == "100ms")
        #expect(SystemdTimeSpan.finite(microseconds: 2_000_000).description == "2s")
        #expect(SystemdTimeSpan.finite(microseconds: 0).description == "0")
        #expect(SystemdTimeSpan.infinity.description == "infinity")
    }

    @Test func loadAverageParsesTheThreeAveragesAndRejectsGarbage() throws {
        let load = try #require(LoadAverage(procLoadavg: "7.61 7.40 7.61 9/312 48213\n"))
        #expect(load == LoadAverage(oneMinute: 7.61, fiveMinutes: 7.40, fifteenMinutes: 7.61))
        #expect(LoadAverage(procLoadavg: "") == nil)
        #expect(LoadAverage(procLoadavg: "high load") == nil)
        #expect(LoadAverage(procLoadavg: "1.0 2.0") == nil)
    }

    @Test func meminfoConvertsKibibytesAndRequiresMemAvailable() throws {
        let text = "MemTotal: 1000 kB\nMemFree: 10 kB\nMemAvailable: 500 kB\nSwapTotal: 200 kB\nSwapFree: 50 kB\n"
        let memory = try #require(MemoryInfo(procMeminfo: text))
        #expect(memory.totalBytes == 1_024_000)
        #expect(memory.availableBytes == 512_000)
        #expect(memory.swapUsedBytes == 153_600)
        #expect(memory.availableFraction == 0.5)
        // Kernels before 3.14 have no MemAvailable; guessing from MemFree would mislead.
        #expect(MemoryInfo(procMeminfo: "MemTotal: 1000 kB\nMemFree: 10 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n") == nil)
    }

    @Test func pressureParsesSomeAndFullAndToleratesKernelsWithoutCPUFull() throws {
        let both = try #require(PressureStall(procPressure:
            "some avg10=31.39 avg60=9.14 avg300=2.56 total=10086369\nfull avg10=1.00 avg60=0.50 avg300=0.25 total=7\n"))
        #expect(both.some == PressureAverages(avg10: 31.39, avg60: 9.14, avg300: 2.56))
        #expect(both.full == PressureAverages(avg10: 1, avg60: 0.5, avg300: 0.25))
        let someOnly = try #require(PressureStall(procPressure: "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"))
        #expect(someOnly.full == nil)
        #expect(PressureStall(procPressure: "some avg10=abc\n") == nil)
        #expect(PressureStall(procPressure: "") == nil)
        #expect(PressureStall(procPressure: "half avg10=1 avg60=1 avg300=1 total=1\n") == nil)
    }

    @Test func cpuCountsComeFromCPUListsCpuinfoOrStat() {
        #expect(CPUCount.parse(cpuList: "0\n") == 1)
        #expect(CPUCount.parse(cpuList: "0-1\n") == 2)
        #expect(CPUCount.parse(cpuList: "0-3,6,8-9\n") == 7)
        #expect(CPUCount.parse(cpuList: "") == nil)
        #expect(CPUCount.parse(cpuList: "3-1") == nil)
        #expect(CPUCount.parse(cpuList: "zero") == nil)
        #expect(CPUCount.parse(cpuinfo: "processor\t: 0\nmodel name\t: x\n\nprocessor\t: 1\n") == 2)
        #expect(CPUCount.parse(procStat: "cpu  1 2 3\ncpu0 1 2 3\ncpu1 1 2 3\nctxt 5\n") == 2)
        #expect(CPUCount.parse(procStat: "ctxt 5\n") == nil)
    }

    @Test func statLineWithSpacesAndParenthesesInTheNameParses() throws {
        let fields = Array(repeating: "0", count: 49)
        var rest = fields
        rest[0] = "D"; rest[1] = "42"; rest[11] = "250"; rest[12] = "50"; rest[19] = "1234"
        let stat = try #require(ProcStatFields(procStat: "777 (my (odd) name) " + rest.joined(separator: " ")))
        #expect(stat.name == "my (odd) name")
        #expect(stat.state == "D")
        #expect(stat.parentPID == 42)
        #expect(stat.cpuTicks == 300)
        #expect(stat.startTicks == 1234)
        #expect(ProcStatFields(procStat: "777 (truncated) S 1 2") == nil)
        #expect(ProcStatFields(procStat: "no parentheses at all") == nil)
    }

    @Test func cmdlineStatusAndCgroupFilesParse() {
        #expect(ProcFiles.arguments(cmdline: Array("python\0fast_worker.py\0".utf8)) == ["python", "fast_worker.py"])
        #expect(ProcFiles.arguments(cmdline: Array("nginx: worker process\0\0\0".utf8)) == ["nginx: worker process"])
        #expect(ProcFiles.arguments(cmdline: Array("a\0\0b\0".utf8)) == ["a", "", "b"])
        #expect(ProcFiles.arguments(cmdline: []) == [])
        #expect(ProcFiles.residentBytes(status: "Name:\tx\nVmRSS:\t  221184 kB\n") == 221_184 * 1024)
        #expect(ProcFiles.residentBytes(status: "Name:\tkthreadd\n") == nil)
        #expect(ProcFiles.systemdUnit(cgroup: "0::/system.slice/rivet-worker.service\n") == "rivet-worker.service")
        #expect(ProcFiles.systemdUnit(cgroup: "0::/system.slice/jobq.service/worker\n") == "jobq.service")
        #expect(ProcFiles.systemdUnit(cgroup: "0::/user.slice/user-0.slice/session-3.scope\n") == "session-3.scope")
        #expect(ProcFiles.systemdUnit(
            cgroup: "4:memory:/system.slice/x.service\n1:name=systemd:/system.slice/redis-server.service\n0::/\n"
        ) == "redis-server.service")
        #expect(ProcFiles.systemdUnit(cgroup: "4:memory:/process_api/abc\n0::/\n") == nil)
    }

    @Test func dfOutputParsesAndPercentRoundsUpLikeDf() throws {
        let output = """
            Filesystem      1-blocks        Used   Available Capacity Mounted on
            /dev/vdb1     1000000000   500000001   499999999      51% /mnt/my data

            """
        let disk = try #require(DiskUsage(path: "/mnt/my data/redis", dfOutput: output))
        #expect(disk.mountPoint == "/mnt/my data")
        #expect(disk.filesystem == "/dev/vdb1")
        #expect(disk.usedPercent == 51)
        #expect(DiskUsage(path: "/", dfOutput: "Filesystem 1-blocks Used Available Capacity Mounted on\n") == nil)
        #expect(DiskUsage(path: "/", dfOutput: "header\n/dev/x one two three 5% /\n") == nil)
    }

    @Test func systemctlListAndShowOutputParses() {
        let rows = SystemctlOutput.unitRows("● nginx.service loaded failed failed A web server\nbad line\n")
        #expect(rows == [.init(
            name: "nginx.service", loadState: "loaded", activeState: "failed", subState: "failed",
            description: "A web server"
        )])
        let services = SystemctlOutput.services("""
            Id=a.service
            Restart=always
            RestartUSec=1min 30s
            StartLimitIntervalUSec=infinity
            StartLimitBurst=5
            NRestarts=3
            ExecStart={ path=/usr/bin/a ; argv[]=/usr/bin/a --flag ; ignore_errors=no ; pid=0 }

            Restart=orphan block without an Id

            Id=b.service
            Restart=no
            NRestarts=
            """)
        #expect(services.map(\.name) == ["a.service", "b.service"])
        #expect(services[0].restartDelay == .finite(microseconds: 90_000_000))
        #expect(services[0].startLimitInterval == .infinity)
        #expect(services[0].startLimitBurst == 5)
        #expect(services[0].restartCount == 3)
        #expect(services[0].command == "/usr/bin/a --flag")
        #expect(services[0].restartsAfterCrash)
        #expect(services[1].restartCount == nil)
        #expect(services[1].restartDelay == nil)
        #expect(!services[1].restartsAfterCrash)
    }

    @Test(arguments: [
        (["python", "fast_worker.py"], "fast_worker.py"),
        (["/usr/bin/python3", "-u", "/srv/rivet/scripts/fast_worker.py"], "fast_worker.py"),
        (["/usr/bin/python3", "/root/.local/bin/poetry", "run", "python", "fast_worker.py"], "fast_worker.py"),
        (["/opt/venv/bin/python3.11", "-W", "ignore", "-m", "langgraph_app.worker"], "langgraph_app.worker"),
        (["nohup", "nice", "-n", "10", "python3", "rivet_worker.py", "--queue", "ingest"], "rivet_worker.py --queue ingest"),
        (["env", "PYTHONUNBUFFERED=1", "uv", "run", "worker.py"], "worker.py"),
        (["node", "--max-old-space-size=512", "/usr/bin/n8n"], "n8n"),
        (["/usr/local/bin/ingest-worker", "--queue", "ingest"], "ingest-worker --queue ingest"),
        (["nginx: worker process"], "nginx: worker process"),
        (["bash", "-c", "sleep 1"], "-c sleep 1"),
    ] as [([String], String)])
    func commandIdentityStripsInterpretersAndWrappers(arguments: [String], identity: String) {
        #expect(CommandIdentity.of(arguments) == identity)
    }
}
