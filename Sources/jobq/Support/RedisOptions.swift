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
    func connect() throws -> RedisConnection {
        try RedisConnection(configuration: resolve())
    }

    /// The configuration from the option and the environment; warns once on stderr when the
    /// option itself carries a password.
    func resolve() throws -> RedisConfiguration {
        if let warning = RedisConfiguration.commandLinePasswordWarning(explicitURL: redis) { printError(warning) }
        return try RedisConfiguration.resolve(explicitURL: redis)
    }

    /// Connects and opens a queue.
    func queue(_ name: String, configuration: Queue.Configuration = Queue.Configuration()) throws -> Queue {
        try Queue(name: QueueName(name), connection: connect(), configuration: configuration)
    }

    /// Opens a queue whose connection is made on first use, for commands that wait for Redis.
    func lazyQueue(_ name: String) throws -> Queue {
        try Queue(name: QueueName(name), connection: RedisConnection(openingLazily: resolve()))
    }
}
