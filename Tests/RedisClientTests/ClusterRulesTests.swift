@testable import RedisClient
import Testing

/// The Redis Cluster rules the router computes locally: hash slots (checked against values the
/// Redis Cluster specification and `CLUSTER KEYSLOT` give), redirections, and where a command's
/// key is.
@Suite("Redis Cluster rules") struct ClusterRulesTests {
    private func slot(_ key: String) -> Int { HashSlot.of(Array(key.utf8)) }

    @Test func hashSlotsMatchRedis() {
        #expect(HashSlot.crc16(Array("123456789".utf8)[...]) == 0x31C3, "the CRC16/XMODEM check value")
        #expect(slot("foo") == 12182)
        #expect(slot("bar") == 5061)
        #expect(slot("{user1000}.following") == slot("{user1000}.followers"))
        #expect(slot("jobq:{orders}:wait") == slot("orders"))
        #expect(HashSlot.hashedPart(Array("foo{}{bar}".utf8)).count == 10)
        #expect(String(decoding: HashSlot.hashedPart(Array("foo{{bar}}zap".utf8)), as: UTF8.self) == "{bar")
        #expect(String(decoding: HashSlot.hashedPart(Array("foo{bar}{zap}".utf8)), as: UTF8.self) == "bar")
    }

    @Test func redirectionsAreParsed() throws {
        let answering = RedisConfiguration.Endpoint.tcp(host: "10.0.0.1", port: 7000)
        let moved = try #require(ClusterRedirect("MOVED 3999 127.0.0.1:6381", answeredBy: answering))
        #expect(moved.kind == .moved && moved.slot == 3999 && moved.node == .tcp(host: "127.0.0.1", port: 6381))
        let ask = try #require(ClusterRedirect("ASK 42 [::1]:7002", answeredBy: answering))
        #expect(ask.kind == .ask && ask.node == .tcp(host: "::1", port: 7002))
        let hostless = try #require(ClusterRedirect("MOVED 1 :7005", answeredBy: answering))
        #expect(hostless.node == .tcp(host: "10.0.0.1", port: 7005), "an empty host is the answering node's")
        for text in ["ERR unknown", "MOVED x 1.2.3.4:5", "MOVED 16384 h:1", "TRYAGAIN Multiple keys", "MOVED 1 nohostport"] {
            #expect(ClusterRedirect(text, answeredBy: answering) == nil, "\(text)")
        }
    }

    @Test func theRoutingKeyOfEachCommandJobqSends() {
        func key(_ arguments: [RedisArgument]) -> String? { CommandKeys.routingKey(arguments).map { String(decoding: $0, as: UTF8.self) } }
        #expect(key(["FCALL", "f", "2", "jobq:{q}:", "jobq:{q}:slot-guard", "arg"]) == "jobq:{q}:")
        #expect(key(["EVALSHA", "abc", "0", "arg"]) == nil, "no keys: any node")
        #expect(key(["HGETALL", "jobq:{q}:supervisor"]) == "jobq:{q}:supervisor")
        #expect(key(["BLMOVE", "jobq:{q}:wait", "jobq:{q}:fetch", "RIGHT", "LEFT", "5"]) == "jobq:{q}:wait")
        for keyless: [RedisArgument] in [["INFO", "memory"], ["TIME"], ["SCAN", "0"], ["CLUSTER", "SLOTS"], ["wait", "1", "100"], ["PING"]] {
            #expect(key(keyless) == nil, "\(String(decoding: keyless[0].bytes, as: UTF8.self))")
        }
        #expect(CommandKeys.followsPrevious(["WAIT", "1", "100"]) && CommandKeys.followsPrevious(["wait", "1", "0"]))
        #expect(!CommandKeys.followsPrevious(["WAITAOF", "1", "0", "0"]) && !CommandKeys.followsPrevious(["GET", "k"]))
    }
}
