import Foundation
import JobqTestSupport
import RedisClient
import Testing

@Suite("Script libraries") struct RedisScriptLibraryTests {
    static func library(shared: String = "local function twice(n) return 2 * n end") -> RedisScriptLibrary {
        RedisScriptLibrary(
            name: "test", shared: shared + "\nlocal base", prologue: "base = tonumber(KEYS[1])",
            scripts: [("double-plus-base", "return twice(tonumber(ARGV[1])) + base"), ("base", "return base")])
    }

    @Test func everyScriptOfALibraryRunsAsAFunctionOfOneLoadedLibrary() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let connection = try RedisConnection(configuration: RedisConfiguration(url: server.url))
        let library = Self.library()
        #expect(library.scriptNames == ["base", "double-plus-base"])
        #expect(try connection.run(library.script("double-plus-base"), keys: ["1"], arguments: ["20"]) == .integer(41))
        #expect(try connection.run(library.script("base"), keys: ["7"], arguments: []) == .integer(7))
        let loaded = try connection.command(["FUNCTION", "LIST"]).array ?? []
        #expect(loaded.count == 1, "one library holds both scripts")
        try connection.command(["FUNCTION", "FLUSH"])
        #expect(try connection.run(library.script("base"), keys: ["3"], arguments: []) == .integer(3), "loaded again after a flush")
    }

    @Test func twoVersionsOfALibraryLiveSideBySide() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let connection = try RedisConnection(configuration: RedisConfiguration(url: server.url))
        let old = Self.library(), new = Self.library(shared: "local function twice(n) return n + n + 0 end")
        #expect(old.name != new.name)
        #expect(try connection.run(old.script("double-plus-base"), keys: ["0"], arguments: ["5"]) == .integer(10))
        #expect(try connection.run(new.script("double-plus-base"), keys: ["0"], arguments: ["5"]) == .integer(10))
        #expect(try connection.command(["FUNCTION", "LIST"]).array?.count == 2)
    }

    @Test func serversWithoutFunctionsRunTheSameLuaWithEVALSHA() throws {
        let server = try RedisServer(arguments: ["--rename-command", "FCALL", ""])
        defer { server.stop() }
        let connection = try RedisConnection(configuration: RedisConfiguration(url: server.url))
        let library = Self.library()
        #expect(try connection.run(library.script("double-plus-base"), keys: ["1"], arguments: ["20"]) == .integer(41))
        let replies = try connection.runPipelined(library.script("base"), calls: [(keys: ["4"], arguments: []), (keys: ["5"], arguments: [])])
        #expect(replies == [.integer(4), .integer(5)])
        #expect(try connection.command(["FUNCTION", "LIST"]).array?.isEmpty == true)
    }
}
