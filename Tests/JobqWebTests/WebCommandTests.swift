import Foundation
import JobqTestSupport
import Testing

@Suite("jobq web runs jobq-web") struct WebCommandTests {
    @Test func jobqWebServesThroughTheSiblingProgram() async throws {
        let fixture = try DashboardFixture()
        let server = try WebServerProcess(throughJobq: true)
        let answer = try await HTTPExchange.send("GET", "\(server.url)/api/queues/\(fixture.healthy.name)")
        #expect(answer.status == 200)
        #expect(answer.text.contains(#""queue":"\#(fixture.healthy.name)""#))
    }

    @Test func jobqWebPassesItsArgumentsAndExitStatus() throws {
        let help = try Program.run(Binaries.path("jobq"), ["web", "--help"])
        #expect(help.status == 0)
        #expect(help.output.contains("--allow-actions"))
        let refused = try Program.run(Binaries.path("jobq"), ["web", "--allow-actions"])
        #expect(refused.status == 64)
        #expect(refused.errors.contains("--allow-actions needs --token-file"))
        let port = try Program.run(Binaries.path("jobq"), ["web", "--listen", "127.0.0.1:99999"])
        #expect(port.status == 64)
        #expect(port.errors.contains("--listen takes HOST:PORT"))
    }

    @Test func jobqWebSaysSoWhenJobqWebIsNotInstalled() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-alone-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let alone = directory.appendingPathComponent("jobq").path
        try FileManager.default.copyItem(atPath: Binaries.path("jobq"), toPath: alone)
        let run = try Program.run(alone, ["web"])
        #expect(run.status == 1)
        #expect(run.errors.contains("jobq-web is not installed beside this program (looked for \(directory.path)/jobq-web)"))
    }

    @Test func aShortOrMissingTokenFileIsRefusedAtStart() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-web-short-\(UUID().uuidString)")
        try Data("short\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let short = try Program.run(Binaries.path("jobq-web"), ["--allow-actions", "--token-file", file.path])
        #expect(short.status == 64)
        #expect(short.errors.contains("shorter than 16 characters"))
        let missing = try Program.run(Binaries.path("jobq-web"), ["--allow-actions", "--token-file", file.path + ".none"])
        #expect(missing.status == 64)
        #expect(missing.errors.contains("cannot read the token file"))
    }
}
