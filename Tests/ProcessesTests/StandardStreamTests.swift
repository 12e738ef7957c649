import Glibc
import Processes
import Testing

@Suite struct StandardStreamTests {
    /// One megabyte of text full of shell metacharacters, quotes, newlines and a NUL-free binary tail.
    static func awkwardPayload() -> [UInt8] {
        let pattern = Array("$(rm -rf /) `id` 'quote' \"dq\" ; | & > < * ? \\ \n\t$HOME !!\r".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1 << 20)
        while bytes.count < (1 << 20) {
            bytes.append(contentsOf: pattern)
            bytes.append(UInt8(truncatingIfNeeded: bytes.count % 255 + 1))
        }
        return Array(bytes.prefix(1 << 20))
    }

    @Test func stdinBytesReachTheChildUnchanged() throws {
        let payload = Self.awkwardPayload()
        let child = try ChildProcess.launch(LaunchOptions(
            executable: "/bin/cat",
            standardInput: .bytes(payload),
            standardOutput: .captureTail(maxBytes: 2 << 20)
        ))
        let exit = try #require(child.wait(timeout: .seconds(10)))
        #expect(exit.isSuccess)
        #expect(child.standardOutputTail.count == payload.count)
        #expect(child.standardOutputTail == payload)
    }

    @Test func stderrTailKeepsExactlyTheLastBytes() throws {
        var payload: [UInt8] = []
        for index in 0..<100_000 {
            payload.append(UInt8(truncatingIfNeeded: index * 7 + index / 256))
        }
        let child = try ChildProcess.launch(LaunchOptions(
            executable: "/bin/sh",
            arguments: ["-c", "cat >&2"],
            standardInput: .bytes(payload),
            standardError: .captureTail(maxBytes: 4096)
        ))
        #expect(child.wait().isSuccess)
        #expect(child.standardErrorTail == Array(payload.suffix(4096)))
    }

    @Test func stdoutAndStderrAreCapturedSeparately() throws {
        let child = try shell("echo out; echo err >&2")
        #expect(child.wait().isSuccess)
        #expect(child.standardOutputText == "out\n")
        #expect(child.standardErrorText == "err\n")
    }

    @Test func stdinFromAFileDescriptorIsReadByTheChild() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("input")
        try "from a file\n".write(toFile: path, atomically: false, encoding: .utf8)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        try #require(fd >= 0)
        defer { close(fd) }
        let child = try ChildProcess.launch(LaunchOptions(
            executable: "/bin/cat", standardInput: .fileDescriptor(fd), standardOutput: .captureTail(maxBytes: 1024)
        ))
        #expect(child.wait().isSuccess)
        #expect(child.standardOutputText == "from a file\n")
    }

    @Test func emptyStdinReadsEndOfFileAtOnce() throws {
        let child = try ChildProcess.launch(LaunchOptions(executable: "/bin/cat", standardOutput: .captureTail(maxBytes: 1024)))
        let exit = try #require(child.wait(timeout: .seconds(5)))
        #expect(exit.isSuccess)
        #expect(child.standardOutputTail.isEmpty)
    }

    @Test func theChildHasNoOtherOpenDescriptors() throws {
        // A descriptor of this process without close-on-exec must still not leak into the child.
        let opened = open("/dev/null", O_RDONLY)
        try #require(opened >= 0)
        defer { close(opened) }
        let leaky = fcntl(opened, F_DUPFD, 200)
        try #require(leaky >= 200)
        defer { close(leaky) }
        let child = try ChildProcess.launch(LaunchOptions(
            executable: "/bin/ls", arguments: ["/proc/self/fd"], standardOutput: .captureTail(maxBytes: 4096)
        ))
        #expect(child.wait().isSuccess)
        // 0, 1, 2 and the descriptor ls opened to read the directory.
        let descriptors = child.standardOutputText.split(separator: "\n").compactMap { Int32($0) }
        #expect(descriptors.count == 4)
        #expect(!descriptors.contains(leaky))
    }

    @Test func sigpipeAndEveryOtherSignalAreDefaultInTheChildEvenWhenThisProcessIgnoresThem() throws {
        let previous = Glibc.signal(SIGPIPE, SIG_IGN)
        defer { Glibc.signal(SIGPIPE, previous) }
        let child = try ChildProcess.launch(LaunchOptions(
            executable: "/bin/cat", arguments: ["/proc/self/status"], standardOutput: .captureTail(maxBytes: 16 * 1024)
        ))
        #expect(child.wait().isSuccess)
        let status = child.standardOutputText.split(separator: "\n")
        #expect(status.contains("SigIgn:\t0000000000000000"))
        #expect(status.contains("SigBlk:\t0000000000000000"))

        // And it behaves that way: `yes` writing into a closed pipe dies of SIGPIPE, silently.
        let pipeline = try shell("yes | head -c 1 >/dev/null; echo done")
        #expect(pipeline.wait().isSuccess)
        #expect(pipeline.standardErrorText == "")
    }
}

@Suite struct ExtraOutputTests {
    @Test func extraOutputsAreTheChildsDescriptorsThreeAndFourReadWhileItRuns() throws {
        let child = try ChildProcess.launch(LaunchOptions(
            executable: "/bin/sh",
            arguments: ["-c", "echo progress >&3; echo result >&4; read line; echo more >&3; ls /proc/self/fd >&4"],
            standardInput: .bytes(Array("go\n".utf8)),
            extraOutputTails: [64, 4096]
        ))
        let exit = try #require(child.wait(timeout: .seconds(10)))
        #expect(exit.isSuccess)
        #expect(String(decoding: child.extraOutputTail(0), as: UTF8.self) == "progress\nmore\n")
        let result = String(decoding: child.extraOutputTail(1), as: UTF8.self)
        #expect(result.hasPrefix("result\n"))
        // ls sees 0, 1, 2, 3, 4 and its own directory descriptor; nothing of the parent's leaks in.
        let descriptors = result.split(separator: "\n").dropFirst().compactMap { Int($0) }
        #expect(descriptors.filter { $0 <= 4 } == [0, 1, 2, 3, 4])
        #expect(descriptors.count == 6)
        #expect(child.extraOutputTail(2).isEmpty)
    }

    @Test func theExtraTailKeepsOnlyItsLastBytes() throws {
        let child = try ChildProcess.launch(LaunchOptions(
            executable: "/bin/sh", arguments: ["-c", "seq 1 1000 >&3"], extraOutputTails: [10]))
        #expect(try #require(child.wait(timeout: .seconds(10))).isSuccess)
        #expect(String(decoding: child.extraOutputTail(0), as: UTF8.self) == "\n999\n1000\n")
    }

    @Test func moreExtraOutputsThanAllowedAreRefused() throws {
        #expect(throws: ProcessError.self) {
            try ChildProcess.launch(LaunchOptions(executable: "/bin/true", extraOutputTails: Array(repeating: 16, count: 9)))
        }
    }
}
