import JobQueue
import RedisClient

/// How `jobq-web` serves the dashboard.
public struct DashboardConfiguration: Sendable {
    /// The address to listen on. Default `127.0.0.1`: loopback only, reach it through an SSH
    /// tunnel or a proxy that authenticates (`docs/web.md`).
    public var host = "127.0.0.1"
    /// The port to listen on; 0 picks a free one. Default 8080.
    public var port = 8080
    /// The Redis the queues live in.
    public var redis: RedisConfiguration
    /// The token actions must carry in the `X-Jobq-Token` header; `nil` (the default) refuses every
    /// action with 403 (`--allow-actions --token-file F` sets it).
    public var actionToken: ActionToken?
    /// How often the page fetches the figures again, in seconds. Default 5.
    public var refreshSeconds = 5
    /// Threads, each with its own Redis connection, that run the Redis calls. Default 2: a slow
    /// action leaves the other free for the page.
    public var redisThreads = 2
    /// How many dead letters the page shows per queue. Default 10.
    public var deadLetterLimit = 10
    /// What the stats call judges with (the same defaults as `jobq stats`).
    public var stats = StatsConfiguration()

    /// A configuration with every default, for the given Redis.
    public init(redis: RedisConfiguration) {
        self.redis = redis
    }
}
