import Processes
import Testing

@Suite struct ResourceLimitTests {
    /// The soft limit column of `name` in `/proc/self/limits` as the child saw it.
    static func softLimit(_ name: String, in limits: String) -> String? {
        guard let line = limits.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return nil }
        return line.dropFirst(name.count).split(separator: " ").first.map(String.init)
    }

    @Test func resourceLimitsAreInPlaceWhenTheChildStarts() throws {
        let child = try ChildProcess.launch(LaunchOptions(
            executable: "/bin/cat",
            arguments: ["/proc/self/limits"],
            standardOutput: .captureTail(maxBytes: 16 * 1024),
            resourceLimits: ResourceLimits(addressSpace: 512 << 20, processCount: 77, cpuTime: .milliseconds(1500))
        ))
        #expect(child.wait().isSuccess)
        let limits = child.standardOutputText
        #expect(Self.softLimit("Max address space", in: limits) == "\(512 << 20)")
        #expect(Self.softLimit("Max processes", in: limits) == "77")
        #expect(Self.softLimit("Max cpu time", in: limits) == "2")
    }

    @Test func anAddressSpaceLimitMakesLargeAllocationsFail() throws {
        let child = try ChildProcess.launch(LaunchOptions(
            executable: "/usr/bin/python3",
            arguments: ["-c", "b = bytearray(512 << 20)"],
            standardError: .captureTail(maxBytes: 4096),
            resourceLimits: ResourceLimits(addressSpace: 256 << 20)
        ))
        let exit = child.wait()
        #expect(exit.termination == .exited(code: 1))
        #expect(child.standardErrorText.contains("MemoryError"))
    }
}
