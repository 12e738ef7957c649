import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

/// The eviction guard on a Redis Cluster: each primary's policy is checked when jobq first talks to
/// it, so a queue on an evicting primary is refused while queues on the others run.
@Suite("Eviction guard on a Redis Cluster", .serialized) struct ClusterEvictionTests {
    @Test func aQueueOnAnEvictingPrimaryIsRefusedAndTheOthersRun() throws {
        let cluster = try RedisCluster()
        let names = try cluster.queueNamesOnEachNode()
        let evicting = try cluster.owner(ofSlot: cluster.slot(of: QueueKeys(queue: names[2]).base))
        try cluster.command(["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"], on: evicting)

        // Reached through a primary that does not evict: the first two queues work.
        let connection = try RedisConnection(configuration: RedisConfiguration(url: cluster.url))
        for name in names.prefix(2) {
            #expect(try Queue(name: name, connection: connection).enqueue(payload: "{}").id.isEmpty == false)
        }
        let error = try #require(throws: JobQueueError.self) { try Queue(name: names[2], connection: connection).enqueue(payload: "{}") }
        #expect(error.redisError?.code == .evictionPolicy, "\(error)")
        #expect(error.message.contains("allkeys-lru") && error.message.contains("noeviction"))
        let waiting = try cluster.command(["LLEN", RedisArgument(QueueKeys(queue: names[2]).wait)], on: evicting)
        #expect(waiting == .integer(0), "nothing was written on the evicting primary")
    }

    @Test func statsShowTheEvictingPrimaryWhicheverMasterWasGiven() throws {
        let cluster = try RedisCluster()
        let connection = try RedisConnection(configuration: RedisConfiguration(url: cluster.url))
        #expect(try RedisMemory.read(on: connection).policy == "noeviction")
        try cluster.command(["CONFIG", "SET", "maxmemory-policy", "volatile-lru"], on: cluster.nodes[2])
        try cluster.command(["CONFIG", "SET", "maxmemory", "500mb"], on: cluster.nodes[1])
        let memory = try RedisMemory.read(on: connection)
        #expect(memory.evicts && memory.policy == "volatile-lru", "the seed does not evict, another primary does")
        #expect(memory.maxBytes == 500 * 1024 * 1024, "the headroom shown is the only primary with a limit")
        #expect(memory.evictedKeys == 0)
    }

    @Test func theRecheckReadsEveryPrimary() throws {
        let cluster = try RedisCluster()
        var configuration = try RedisConfiguration(url: cluster.url)
        configuration.evictionRecheckInterval = .zero
        let connection = try RedisConnection(configuration: configuration)
        try connection.recheckEvictionPolicyIfDue()
        try cluster.command(["CONFIG", "SET", "maxmemory-policy", "allkeys-random"], on: cluster.nodes[1])
        let error = try #require(throws: RedisError.self) { try connection.recheckEvictionPolicyIfDue() }
        #expect(error.code == .evictionPolicy && error.message.contains("allkeys-random"))
    }
}
