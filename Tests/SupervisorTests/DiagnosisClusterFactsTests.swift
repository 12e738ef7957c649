import JobQueue
import JobqTestSupport
import RedisClient
@testable import Supervisor
import Testing

/// `jobq diagnose` on a Redis Cluster reads the eviction policy and memory of every primary, as
/// `jobq stats` does, whichever master its URL names.
@Suite("Diagnosis of a Redis Cluster's settings", .serialized) struct DiagnosisClusterFactsTests {
    @Test func diagnoseFindsTheEvictingAndFullPrimaryAsStatsDoes() throws {
        let cluster = try RedisCluster()
        var configuration = try RedisConfiguration(url: cluster.url)
        configuration.evictionCheck = .ignore
        let connection = try RedisConnection(configuration: configuration)
        try cluster.command(["CONFIG", "SET", "maxmemory-policy", "volatile-lru"], on: cluster.nodes[2])
        let used = UInt64(RedisInfo.fields(try cluster.command(["INFO", "memory"], on: cluster.nodes[1]).string ?? "")["used_memory"] ?? "0") ?? 0
        // Full by the shared threshold: over 90 % of maxmemory in use, on a primary the URL does not name.
        try cluster.command(["CONFIG", "SET", "maxmemory", RedisArgument(Int(Double(used) / 0.95))], on: cluster.nodes[1])

        let facts = try RedisFacts.read(connection)
        let memory = try RedisMemory.read(on: connection)
        #expect(facts.maxmemoryPolicy == "volatile-lru" && facts.maxmemoryPolicy == memory.policy)
        #expect(facts.maxMemory == memory.maxBytes && facts.maxMemory ?? 0 > 0)
        let codes = RedisDiagnosis().findings(for: facts).map { ($0.code, $0.severity) }
        #expect(codes.contains { $0 == (.redisEviction, .critical) }, "\(codes)")
        #expect((memory.usedFraction ?? 0) >= RedisMemory.fullFraction)
        #expect(codes.contains { $0 == (.redisMemory, .critical) }, "\(codes)")
    }
}
