import ArgumentParser
import JobQueue
import RedisClient

/// The `--redis` option every command takes.
struct RedisOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Redis URL: redis://[user[:password]@]host[:port][/db], unix:///path.sock[?db=N] or redis+sentinel://host:port[,host:port...]/MASTER_NAME[/db].", valueName: "url"))
    var redis: String?

    /// Refuses an unusable Redis URL (from the option or the environment) as bad usage, exit
    /// status 64, before any command runs.
    func validate() throws {
        do {
            _ = try RedisConfiguration.resolve(explicitURL: redis)
        } catch let error as RedisError where error.code == .invalidConfiguration {
            throw ValidationError(error.message)
        }
    }

    /// Connects, resolving the URL from the option and the environment.
    func connect(_ use: RedisUse) throws -> RedisConnection {
        try RedisConnection(configuration: resolve(use))
    }

    /// The configuration from the option and the environment, with the eviction check `use` asks
    /// for; warns once on stderr when the option itself carries a password.
    func resolve(_ use: RedisUse) throws -> RedisConfiguration {
        if let warning = RedisConfiguration.commandLinePasswordWarning(explicitURL: redis) { printError(warning) }
        var configuration = try RedisConfiguration.resolve(explicitURL: redis)
        configuration.evictionCheck = use.evictionCheck(after: configuration.evictionCheck)
        return configuration
    }

    /// Connects and opens a queue.
    func queue(_ name: String, _ use: RedisUse, configuration: Queue.Configuration = Queue.Configuration()) throws -> Queue {
        try Queue(name: QueueName(name), connection: connect(use), configuration: configuration)
    }

    /// Opens a queue whose connection is made on first use, for commands that wait for Redis.
    func lazyQueue(_ name: String, _ use: RedisUse) throws -> Queue {
        try Queue(name: QueueName(name), connection: RedisConnection(openingLazily: resolve(use)))
    }
}

/// `--allow-eviction`, taken by every command that writes jobs or settings.
struct EvictionOptions: ParsableArguments {
    @Flag(name: .customLong("allow-eviction"), help: "Run even though Redis may evict keys (maxmemory-policy other than noeviction), accepting that jobs can be lost. Also JOBQ_ALLOW_EVICTION=1.")
    var allowEviction = false
}

/// How a command uses Redis, which decides what it does on a Redis that may evict keys.
enum RedisUse {
    /// Reads only (stats, show, dead, locks, diagnose): never refuses; stats and diagnose report
    /// the eviction policy themselves.
    case reading
    /// Writes jobs or settings: refuses an evicting Redis unless `--allow-eviction` or
    /// `JOBQ_ALLOW_EVICTION=1` (then warns).
    case writing(EvictionOptions)
    /// Stops the bleeding (emergency-stop, resume): never refuses, warns.
    case incident

    /// The check for this use, given the one the environment resolved to.
    func evictionCheck(after resolved: RedisConfiguration.EvictionCheck) -> RedisConfiguration.EvictionCheck {
        switch self {
        case .reading: return .ignore
        case .writing(let options): return options.allowEviction ? .warn : resolved
        case .incident: return .warn
        }
    }
}
