import ArgumentParser
import Foundation
import JobqWeb
import Logging
import RedisClient

@main
struct JobqWebCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobq web",
        abstract: "Serve the dashboard, the stats JSON and Prometheus /metrics over HTTP.",
        discussion: """
        GET / is a page (no external assets) with every queue's verdict, jobs, limits, workers and \
        supervisor, a chart of the last hour, a timeline and the dead letters; it refreshes itself. \
        GET /api/queues[/QUEUE] is the jobq stats --json document, GET /metrics the --prometheus text \
        (docs/web.md). Listens on loopback unless told otherwise: reach it through an SSH tunnel or a \
        proxy that authenticates. Actions (retry, pause, resume, breaker reset, emergency stop) are \
        refused with 403 unless --allow-actions is given, and then need the token from --token-file \
        in the X-Jobq-Token header of a POST. Redis is found as for every jobq command.
        """
    )

    @Option(name: .long, help: ArgumentHelp("Redis URL (as for every jobq command; default from JOBQ_REDIS_URL, REDIS_URL, else redis://127.0.0.1:6379/0).", valueName: "url"))
    var redis: String?
    @Option(help: ArgumentHelp("Address to listen on: HOST:PORT, [IPv6]:PORT or PORT (0: a free port).", valueName: "address"))
    var listen = "127.0.0.1:8080"
    @Flag(name: .customLong("allow-actions"), help: "Allow the POST actions (they still need the token).")
    var allowActions = false
    @Option(name: .customLong("token-file"), help: ArgumentHelp("File whose first line is the token actions must carry (at least 16 characters).", valueName: "path"))
    var tokenFile: String?
    @Option(help: ArgumentHelp("Seconds between the page's refreshes.", valueName: "seconds"))
    var refresh = 5

    func validate() throws {
        if allowActions && tokenFile == nil { throw ValidationError("--allow-actions needs --token-file FILE: actions must carry a token") }
        if tokenFile != nil && !allowActions { throw ValidationError("--token-file goes with --allow-actions") }
        if refresh < 1 { throw ValidationError("--refresh must be at least 1 second") }
        do {
            _ = try ListenAddress(listen)
            _ = try RedisConfiguration.resolve(explicitURL: redis)
        } catch let error as WebError {
            throw ValidationError(error.message)
        } catch let error as RedisError {
            throw ValidationError(error.message)
        }
    }

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let logger = Logger(label: "jobq-web")
        if let warning = RedisConfiguration.commandLinePasswordWarning(explicitURL: redis) { fail(warning, exit: nil) }
        let address = try ListenAddress(listen)
        var configuration = DashboardConfiguration(redis: try RedisConfiguration.resolve(explicitURL: redis))
        configuration.host = address.host
        configuration.port = address.port
        configuration.refreshSeconds = refresh
        if let tokenFile {
            do {
                configuration.actionToken = try ActionToken(file: tokenFile)
            } catch let error as WebError {
                fail(error.message, exit: 64)
            }
        }
        if !address.isLoopback {
            fail("listening on \(address.host), beyond loopback: put an authenticating proxy or a firewall in front (docs/web.md)", exit: nil)
        }
        let mode = allowActions ? "actions allowed with the token" : "read-only", redisText = configuration.redis.description
        let line = { @Sendable (url: String) in
            "jobq web: serving \(url) (\(mode)) for \(redisText)\n"
        }
        do {
            try await DashboardServer(configuration: configuration, logger: logger).run { url in
                FileHandle.standardOutput.write(Data(line(url).utf8))
            }
        } catch {
            fail("cannot serve on \(listen): \(error)", exit: 1)
        }
    }

    /// Prints `jobq web: message` on stderr; exits with `status` unless it is `nil`.
    private func fail(_ message: String, exit status: Int32?) {
        FileHandle.standardError.write(Data("jobq web: \(SecretRedaction.redact(message))\n".utf8))
        if let status { Foundation.exit(status) }
    }
}
