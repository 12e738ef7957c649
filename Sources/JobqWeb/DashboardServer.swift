import Hummingbird
import Logging

/// `jobq web`: serves the dashboard, its JSON and `/metrics` until SIGTERM or SIGINT.
public struct DashboardServer: Sendable {
    /// How it serves.
    public let configuration: DashboardConfiguration
    private let logger: Logger

    /// Creates a server; nothing listens until ``run(announce:)``.
    public init(configuration: DashboardConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Listens and serves until the process is asked to stop (SIGTERM, SIGINT), then finishes the
    /// requests in hand.
    /// - Parameter announce: called once listening, with the address (`http://127.0.0.1:8080`;
    ///   the real port when 0 was asked for).
    /// - Throws: when the address cannot be bound.
    public func run(announce: @escaping @Sendable (String) -> Void) async throws {
        let router = Router()
        DashboardRoutes(
            reader: DashboardReader(configuration: configuration),
            threads: RedisThreads(configuration: configuration.redis, count: configuration.redisThreads),
            guardian: ActionGuard(token: configuration.actionToken),
            logger: logger
        ).register(on: router)
        let host = configuration.host
        let application = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                announce("http://\(host.contains(":") ? "[\(host)]" : host):\(port)")
            },
            logger: logger
        )
        try await application.runService()
    }
}
