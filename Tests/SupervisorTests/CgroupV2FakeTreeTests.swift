import Foundation
import Glibc
@testable import Supervisor
import Testing

/// cgroup v2 logic against plain files laid out as the kernel shows them.
@Suite struct CgroupV2FakeTreeTests {
    static let service = "system.slice/jobq.service"

    @Test func detectsPureV2AndTheControllersDelegatedToTheService() throws {
        let tree = try FakeCgroupTree.unified()
        defer { tree.remove() }
        try tree.makeCgroup(Self.service)

        let system = try tree.detect()
        #expect(system.layout == .unified)
        let unified = try #require(system.usableControllers[.memory])
        #expect(unified.version == .v2)
        #expect(unified.mountPoint == tree.root)
        #expect(unified.ownDirectory == tree.path(Self.service))
        #expect(unified.baseDirectory == tree.path(Self.service))
        #expect(Set(system.usableControllers.keys) == [.cpu, .memory, .pids])
        #expect(system.usableControllers[.cpu] == unified)
        #expect(system.unusableReasons[.cpuacct]?.contains("cpu.stat") == true)
    }

    @Test func aControllerNotDelegatedIsReportedWithWhatToDo() throws {
        let tree = try FakeCgroupTree.unified()
        defer { tree.remove() }
        var files = FakeCgroupTree.v2CgroupFiles
        files["cgroup.controllers"] = "memory pids\n"
        try tree.makeCgroup(Self.service, files: files)

        let system = try tree.detect()
        #expect(system.usableControllers[.cpu] == nil)
        let error = try #require(throws: CgroupError.self) {
            try system.makeWorkerParent(named: "jobq-emails", for: CgroupLimits(cpuQuota: 0.25))
        }
        #expect(error.code == .controllerUnavailable)
        #expect(error.message.contains("cpu: cpu is not in \(tree.path(Self.service))/cgroup.controllers"))
        #expect(error.message.contains("Delegate=yes"))
        #expect(error.message.contains("--no-cgroup"))
    }

    @Test func prepareDelegatedParentMovesTheSupervisorIntoALeafThenEnablesControllers() throws {
        let tree = try FakeCgroupTree.unified()
        defer { tree.remove() }
        try tree.makeCgroup(Self.service)
        try tree.makeCgroup(Self.service + "/supervisor")

        var system = try tree.detect()
        try system.prepareDelegatedParent()

        #expect(try tree.read(Self.service + "/supervisor/cgroup.procs") == String(getpid()))
        #expect(try tree.read(Self.service + "/cgroup.subtree_control") == "+cpu +memory +pids")
        let unified = try #require(system.usableControllers[.memory])
        #expect(unified.ownDirectory == tree.path(Self.service + "/supervisor"))
        #expect(unified.baseDirectory == tree.path(Self.service))
    }

    @Test func prepareDelegatedParentIsIdempotentAcrossCallsAndRestarts() throws {
        let tree = try FakeCgroupTree.unified()
        defer { tree.remove() }
        try tree.makeCgroup(Self.service)
        try tree.makeCgroup(Self.service + "/supervisor")
        var system = try tree.detect()
        try system.prepareDelegatedParent()

        // What the kernel would now show: the supervisor in its leaf, the controllers enabled.
        try tree.write("", to: tree.path(Self.service + "/supervisor/cgroup.procs"))
        try tree.write("cpu memory pids\n", to: tree.path(Self.service + "/cgroup.subtree_control"))
        try system.prepareDelegatedParent()
        try tree.write("0::/\(Self.service)/supervisor\n", to: tree.procSelfCgroup)
        var restarted = try tree.detect()
        #expect(restarted.usableControllers[.memory]?.baseDirectory == tree.path(Self.service))
        try restarted.prepareDelegatedParent()

        #expect(try tree.read(Self.service + "/supervisor/cgroup.procs") == "")
        #expect(try tree.read(Self.service + "/cgroup.subtree_control") == "cpu memory pids\n")
        #expect(!FileManager.default.fileExists(atPath: tree.path(Self.service + "/supervisor/supervisor")))
    }

    @Test func workerLimitsAreWrittenWithTheKernelsSyntax() throws {
        let tree = try FakeCgroupTree.unified()
        defer { tree.remove() }
        try tree.makeCgroup(Self.service)
        try tree.makeCgroup(Self.service + "/supervisor")
        try tree.makeCgroup(Self.service + "/jobq-emails")
        try tree.makeCgroup(Self.service + "/jobq-emails/worker-1")
        var system = try tree.detect()
        try system.prepareDelegatedParent()

        let limits = CgroupLimits(cpuQuota: 0.25, memoryMax: 64 << 20, swapMax: 0, pidsMax: 32)
        let parent = try system.makeWorkerParent(named: "jobq-emails", for: limits)
        let worker = try parent.createWorker(named: "worker-1", limits: limits)

        let leaf = Self.service + "/jobq-emails/worker-1"
        #expect(try tree.read(Self.service + "/jobq-emails/cgroup.subtree_control") == "+cpu +memory +pids")
        #expect(try tree.read(leaf + "/cpu.max") == "25000 100000")
        #expect(try tree.read(leaf + "/memory.max") == "67108864")
        #expect(try tree.read(leaf + "/memory.swap.max") == "0")
        #expect(try tree.read(leaf + "/memory.oom.group") == "1")
        #expect(try tree.read(leaf + "/pids.max") == "32")
        #expect(worker.procsPaths == [tree.path(leaf + "/cgroup.procs")])
        #expect(worker.warnings.isEmpty)
    }

    @Test func aTinyCpuQuotaIsRaisedToTheKernelsOneMillisecondMinimum() throws {
        let tree = try FakeCgroupTree.unified(ownPath: "/")
        defer { tree.remove() }
        try tree.makeCgroup("jobq-q")
        try tree.makeCgroup("jobq-q/worker-1")
        let limits = CgroupLimits(cpuQuota: 0.001)
        let worker = try tree.detect().makeWorkerParent(named: "jobq-q", for: limits).createWorker(named: "worker-1", limits: limits)
        #expect(try tree.read("jobq-q/worker-1/cpu.max") == "1000 100000")
        #expect(worker.directories.map(\.path) == [tree.path("jobq-q/worker-1")])
    }

    @Test func aKernelWithoutSwapAccountingGivesAWarningNotAFailure() throws {
        let tree = try FakeCgroupTree.unified(ownPath: "/")
        defer { tree.remove() }
        try tree.makeCgroup("jobq-q")
        var files = FakeCgroupTree.v2CgroupFiles
        files["memory.swap.max"] = nil
        try tree.makeCgroup("jobq-q/worker-1", files: files)

        let limits = CgroupLimits(memoryMax: 128 << 20)
        let worker = try tree.detect().makeWorkerParent(named: "jobq-q", for: limits).createWorker(named: "worker-1", limits: limits)
        #expect(try tree.read("jobq-q/worker-1/memory.max") == "134217728")
        #expect(worker.warnings.count == 1)
        #expect(worker.warnings.first?.contains("memory.swap.max is missing") == true)
    }

    @Test func oomKillsPeakMemoryAndCpuAreReadFromTheKernelsFiles() throws {
        let tree = try FakeCgroupTree.unified(ownPath: "/")
        defer { tree.remove() }
        try tree.makeCgroup("jobq-q")
        try tree.makeCgroup("jobq-q/worker-1")
        let worker = try tree.detect().makeWorkerParent(named: "jobq-q", for: CgroupLimits()).createWorker(named: "worker-1", limits: CgroupLimits())

        try tree.write("low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\noom_group_kill 1\n", to: tree.path("jobq-q/worker-1/memory.events"))
        try tree.write("67100672\n", to: tree.path("jobq-q/worker-1/memory.peak"))
        try tree.write(
            "usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\nnr_periods 40\nnr_throttled 30\nthrottled_usec 2500000\n",
            to: tree.path("jobq-q/worker-1/cpu.stat")
        )
        try tree.write("101\n102\n", to: tree.path("jobq-q/worker-1/cgroup.procs"))

        let stats = worker.stats()
        #expect(stats.oomKills == 2)
        #expect(stats.memoryPeak == 67_100_672)
        #expect(stats.cpuUsage == .milliseconds(1500))
        #expect(stats.throttledPeriods == 30)
        #expect(stats.throttledTime == .milliseconds(2500))
        #expect(stats.processCount == 2)
    }

    @Test func killAllWritesCgroupKill() throws {
        let tree = try FakeCgroupTree.unified(ownPath: "/")
        defer { tree.remove() }
        try tree.makeCgroup("jobq-q")
        try tree.makeCgroup("jobq-q/worker-1")
        let worker = try tree.detect().makeWorkerParent(named: "jobq-q", for: CgroupLimits()).createWorker(named: "worker-1", limits: CgroupLimits())
        try worker.killAll(timeout: .seconds(1))
        #expect(try tree.read("jobq-q/worker-1/cgroup.kill") == "1")
    }

    @Test func aLeftoverWorkerCgroupWithProcessesIsRefusedAsBusy() throws {
        let tree = try FakeCgroupTree.unified(ownPath: "/")
        defer { tree.remove() }
        try tree.makeCgroup("jobq-q")
        var files = FakeCgroupTree.v2CgroupFiles
        files["cgroup.procs"] = "4242\n"
        try tree.makeCgroup("jobq-q/worker-1", files: files)

        let parent = try tree.detect().makeWorkerParent(named: "jobq-q", for: CgroupLimits(pidsMax: 10))
        let error = try #require(throws: CgroupError.self) {
            try parent.createWorker(named: "worker-1", limits: CgroupLimits(pidsMax: 10))
        }
        #expect(error.code == .busy)
        #expect(error.message.contains("4242"))
        #expect(error.message.contains("previous worker is still running"))
        #expect(try tree.read("jobq-q/worker-1/pids.max") == "max\n")
    }

    @Test func anUnwritableCgroupIsReportedWithWhyAndWhatToDo() throws {
        let tree = try FakeCgroupTree.unified()
        defer { tree.remove() }
        try tree.makeCgroup(Self.service)
        // An immutable directory refuses writes even to root, like a cgroup owned by someone else.
        try #require(runCgroupTestCommand("/usr/bin/chattr", ["+i", tree.path(Self.service)]), "chattr +i is not supported here")

        let system = try tree.detect()
        #expect(system.usableControllers.isEmpty)
        #expect(system.unusableReasons[.memory]?.contains("\(tree.path(Self.service)) is not writable by this process (uid 0)") == true)
        let error = try #require(throws: CgroupError.self) {
            try system.makeWorkerParent(named: "jobq-q", for: CgroupLimits(memoryMax: 1 << 30))
        }
        #expect(error.code == .controllerUnavailable)
        #expect(error.message.contains("not writable"))
        #expect(error.message.contains("Delegate=yes"))
        #expect(error.message.contains("--no-cgroup"))
    }

    @Test func aSubtreeControlThatCannotBeWrittenIsAClearError() throws {
        let tree = try FakeCgroupTree.unified()
        defer { tree.remove() }
        try tree.makeCgroup(Self.service)
        try tree.makeCgroup(Self.service + "/supervisor")
        try #require(runCgroupTestCommand("/usr/bin/chattr", ["+i", tree.path(Self.service + "/cgroup.subtree_control")]), "chattr +i is not supported here")

        var system = try tree.detect()
        let error = try #require(throws: CgroupError.self) { try system.prepareDelegatedParent() }
        #expect(error.code == .writeFailed)
        #expect(error.errno == EPERM)
        #expect(error.message.contains("\(tree.path(Self.service))/cgroup.subtree_control"))
        #expect(error.message.contains("Delegate=yes"))
    }

    @Test func noCgroupMountIsAClearError() throws {
        let tree = try FakeCgroupTree()
        defer { tree.remove() }
        try tree.write("22 1 0:21 / /proc rw,nosuid - proc proc rw\n", to: tree.mountinfo)
        try tree.write("0::/\n", to: tree.procSelfCgroup)
        let error = try #require(throws: CgroupError.self) { try tree.detect() }
        #expect(error.code == .notMounted)
        #expect(error.message.contains("no cgroup filesystem is mounted at \(tree.root)"))
        #expect(error.message.contains("--no-cgroup"))
    }

    @Test func aHybridHostUsesV1ControllersAndTheEmptyUnifiedMountForNothing() throws {
        let tree = try FakeCgroupTree()
        defer { tree.remove() }
        try tree.write(
            """
            31 23 0:28 / \(tree.root) rw - tmpfs tmpfs rw,mode=755
            32 31 0:29 / \(tree.root)/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
            35 31 0:32 / \(tree.root)/memory rw,relatime - cgroup cgroup rw,memory
            41 31 0:38 / \(tree.root)/unified rw,relatime - cgroup2 cgroup2 rw

            """,
            to: tree.mountinfo
        )
        try tree.write("4:memory:/box/a\n1:cpu,cpuacct:/\n0::/box/a\n", to: tree.procSelfCgroup)
        try tree.makeCgroup("cpu,cpuacct", files: ["cgroup.procs": ""])
        try tree.makeCgroup("memory/box/a", files: ["cgroup.procs": ""])
        try tree.makeCgroup("unified/box/a", files: ["cgroup.controllers": "", "cgroup.procs": ""])

        let system = try tree.detect()
        #expect(system.layout == .hybrid)
        #expect(system.usableControllers[.memory]?.ownDirectory == tree.path("memory/box/a"))
        #expect(system.usableControllers[.cpu]?.ownDirectory == tree.path("cpu,cpuacct"))
        #expect(system.usableControllers[.cpuacct] == system.usableControllers[.cpu])
        #expect(system.usableControllers[.pids] == nil)
        #expect(system.unusableReasons[.pids]?.contains("does not offer it") == true)

        let parent = try system.makeWorkerParent(named: "jobq-q", for: CgroupLimits(cpuQuota: 0.5, memoryMax: 1 << 30))
        #expect(Set(parent.directories.map(\.path)) == [tree.path("cpu,cpuacct/jobq-q"), tree.path("memory/box/a/jobq-q")])
        try parent.remove()
        #expect(!FileManager.default.fileExists(atPath: tree.path("memory/box/a/jobq-q")))
    }

    @Test func aMountOfASubtreeMapsOwnPathsBelowItsRootAndUnescapesSpaces() throws {
        let tree = try FakeCgroupTree()
        defer { tree.remove() }
        let mountPoint = tree.root + "/with space"
        try tree.write("30 23 0:26 /ctr/abc \(tree.root)/with\\040space rw - cgroup2 cgroup2 rw\n", to: tree.mountinfo)
        try tree.write("0::/ctr/abc/app\n", to: tree.procSelfCgroup)
        try tree.makeCgroup("with space", files: ["cgroup.controllers": "cpu memory pids\n"])
        try tree.makeCgroup("with space/app")

        let system = try CgroupSystem.detect(root: mountPoint, procSelfCgroup: tree.procSelfCgroup, mountinfo: tree.mountinfo)
        #expect(system.layout == .unified)
        #expect(system.usableControllers[.memory]?.ownDirectory == mountPoint + "/app")
    }
}
