import Foundation
@testable import JobQueue
import JobqTestSupport
import RedisClient
import Testing

/// Each `.lua` file of the queue, on its own: it is a script of the library, it documents its
/// contract, it compiles, it runs against Redis, and the whole library passes luacheck.
@Suite("Lua script files") struct LuaScriptFileTests {
    /// `Sources/JobQueue/Lua`, found from this file's path.
    static let luaDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/JobQueue/Lua")

    static func scriptFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: luaDirectory.path)
            .filter { $0.hasSuffix(".lua") && !$0.hasSuffix("library.lua") }
            .map { String($0.dropLast(4)) }
            .sorted()
    }

    /// The shape of a script's reply.
    enum Reply: Sendable {
        case array, integer, integerOrNil, text

        func fits(_ reply: RedisReply) -> Bool {
            switch (self, reply) {
            case (.array, .array), (.integer, .integer), (.integerOrNil, .integer), (.integerOrNil, .null), (.text, .bulk): true
            default: false
            }
        }
    }

    /// Arguments that make each script do its ordinary work on an empty queue (each runs twice:
    /// as EVALSHA, then as a function), and the shape of its reply.
    static let sampleCalls: [String: (arguments: [RedisArgument], reply: Reply)] = [
        "enqueue": (["j1", "{}", "default", "5", "0", "", "", "", "high"], .array),
        "reserve": (["c1", "0", "1", "30000", "1048576", "5"], .array),
        "complete": (["j1", "c1/1", "", "", "1", "c1", "0", "1", "30000", "1048576", "5"], .array),
        "fail": (["j1", "c1/1", "boom", "1000", "0", ""], .array),
        "release": (["j1", "c1/1", "0", "0"], .array),
        "extend": (["j1", "c1/1", "30000"], .array),
        "settle-batch": (["1", "j1", "c1/1", "1", "1", "", "", "1", "j2", "c1/2", "4", "c1", "0", "1", "30000", "1048576", "5"], .array),
        "extend-many": (["30000", "", "j1", "c1/1", "j2", "c1/2"], .array),
        "cancel": (["j1"], .array),
        "job": (["j1"], .array),
        "history": (["20", "0"], .array),
        "set-retention": (["completed", "10", "86400000"], .integer),
        "retry-dead": (["*"], .array),
        "reap": (["holder", "5000", "60000", "2"], .array),
        "recover-consumer": (["c1", "killed by SIGKILL", "2"], .array),
        "heartbeat": (["c1", "60000", "host", "h1"], .integer),
        "lock-acquire": (["name", "owner", "30000", "h1/1", ""], .integerOrNil),
        "lock-renew": (["name", "owner", "30000"], .integer),
        "lock-release": (["name", "owner"], .integer),
        "lock-list": ([], .array),
        "set-limit": (["", "10", "1000", "5"], .integer),
        "limit-status": ([""], .array),
        "stats": (["5", "1000", "10", "10"], .array),
        "record-event": ([#"{"by":"test","action":"resume"}"#], .text),
        "active-jobs": (["10"], .array),
        "alert-gate": (["breaker_tripped", "600000"], .array),
        "supervision-tick": ([], .array),
        "supervision-report": (["idle", "waiting for work", "h1", "1", "", "", "", "0", "h1/1"], .integer),
        "supervision-standby": (["h1/1"], .integer),
        "supervision-worker-exit": (["c1", "h1", "1", "0", "exit 0", "2", #"{"status":"exit 0"}"#, "0", "0"], .array),
        "supervision-trip-breaker": (["crash loop", "h1", "1"], .integer),
        "supervision-reset-breaker": ([], .integer),
        "supervision-request-stop": (["test", "deploy"], .integer),
        "schedule-add": (["s1", "every", "60000", "", "default", "{}", "5", "one", "0", "1000", "61000"], .text),
        "schedule-remove": (["s1"], .integer),
        "schedule-set-paused": (["s1", "1", ""], .text),
        "schedule-list": ([""], .array),
        "schedule-due": (["h1/1", "15000", "100"], .array),
        "schedule-fire": (["h1/1", "15000", "s1", "61000", "121000", "0", "61000"], .array),
        "schedule-release": (["h1/1"], .integer),
    ]

    @Test func everyLuaFileIsAScriptOfTheLibraryAndEveryScriptHasAFile() throws {
        #expect(try Self.scriptFiles() == QueueScripts.library.scriptNames)
        #expect(Set(Self.sampleCalls.keys) == Set(QueueScripts.library.scriptNames), "every script has a sample call below")
    }

    @Test(arguments: try scriptFiles())
    func eachScriptFileStatesItsKeysArgumentsAndReply(_ name: String) throws {
        let text = try String(contentsOf: Self.luaDirectory.appendingPathComponent("\(name).lua"), encoding: .utf8)
        let header = text.split(separator: "\n").prefix { $0.hasPrefix("--") }.joined(separator: "\n")
        #expect(header.contains("KEYS[1]"), "\(name).lua names its keys")
        #expect(header.contains("ARGV"), "\(name).lua names its arguments")
        #expect(header.contains("Returns"), "\(name).lua describes its reply")
    }

    @Test(arguments: try scriptFiles())
    func eachScriptCompilesAndRunsOnItsOwnAgainstRedis(_ name: String) throws {
        let queue = try TestRedis.queue(name)
        let script = QueueScripts.library.script(name)
        let sha = try queue.connection.command(["SCRIPT", "LOAD", RedisArgument(script.source)]).string
        #expect(sha?.count == 40, "the EVALSHA form of \(name) compiles")
        let call = try #require(Self.sampleCalls[name])
        let viaEval = try queue.connection.command(["EVALSHA", RedisArgument(sha ?? ""), "1", RedisArgument(queue.keys.base)] + call.arguments)
        let viaFunction = try queue.connection.run(script, keys: [queue.keys.base], arguments: call.arguments)
        for reply in [viaEval, viaFunction] {
            #expect(call.reply.fits(reply), "\(name) replies with \(call.reply), not \(reply)")
        }
        // Nothing a script writes leaves the queue's hash tag.
        let keys = try queue.connection.command(["KEYS", RedisArgument("*\(queue.name.rawValue)*")]).array?.compactMap(\.string) ?? []
        #expect(keys.allSatisfy { $0.hasPrefix(queue.keys.base) }, "\(name) wrote \(keys)")
        if !keys.isEmpty { try queue.connection.command(["DEL"] + keys.map { RedisArgument($0) }) }
    }

    @Test func theFunctionLibraryPassesLuacheck() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-library-\(UUID().uuidString.prefix(8)).lua")
        // luacheck reads the library as Lua: without the `#!lua name=` line Redis reads first.
        let lua = QueueScripts.library.source.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)[1]
        try String(lua).write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let luacheck = Process()
        luacheck.executableURL = URL(fileURLWithPath: "/usr/bin/luacheck")
        // Scripts without arguments leave the functions' ARGV parameter unused.
        luacheck.arguments = [
            "--std", "lua51", "--globals", "redis", "cjson", "--ignore", "212/ARGV", "--no-max-line-length", "--codes", "--no-color", file.path,
        ]
        let output = Pipe()
        luacheck.standardOutput = output
        try luacheck.run()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        luacheck.waitUntilExit()
        #expect(luacheck.terminationStatus == 0, "luacheck found problems:\n\(report)")
    }
}
