import Foundation
import Hummingbird
import JobQueue
import Logging
import Supervisor

/// The dashboard's routes. Every Redis call runs on ``RedisThreads``; GET never changes anything;
/// every change is a POST that ``ActionGuard`` lets through.
///
/// - `GET /`, `/queues/Q`, `/queues/Q/jobs/ID`: the page (the script renders what the path names);
///   `GET /assets/NAME`: its stylesheet and script.
/// - `GET /api/queues`, `/api/queues/Q`: the `jobq stats --json` document.
/// - `GET /api/queues/Q/activity`: ``QueueActivity``. `GET /api/queues/Q/jobs/ID`: the job.
/// - `GET /api/server`: whether actions are allowed and how often to refresh.
/// - `GET /metrics`: the `jobq stats --prometheus` text.
/// - `POST /api/queues/Q/pause`, `/resume`, `/breaker/reset`, `/emergency-stop`,
///   `/dead/retry` (all), `/dead/ID/retry` (one).
struct DashboardRoutes: Sendable {
    let reader: DashboardReader
    let threads: RedisThreads
    let guardian: ActionGuard
    let logger: Logger

    func register(on router: Router<BasicRequestContext>) {
        router.add(middleware: SecurityHeaders())
        for path in ["/", "/queues/:queue", "/queues/:queue/jobs/:id"] {
            router.get(RouterPath(path)) { _, _ in DashboardAssets.page }
        }
        router.get("/assets/:name") { _, context in
            DashboardAssets.files[context.parameters.get("name") ?? ""] ?? Self.failure(WebError(.notFound, "no such asset"))
        }
        router.get("/api/server") { _, _ in
            Self.json(#"{"actions":\#(guardian.token != nil),"refresh_seconds":\#(reader.configuration.refreshSeconds)}"#)
        }
        router.get("/api/queues") { _, _ in
            await answer { Self.json(try await threads.run { try reader.statsDocument(nil, on: $0, unreadable: logUnreadable) }) }
        }
        router.get("/api/queues/:queue") { _, context in
            await answer {
                let name = try queueName(context)
                return Self.json(try await threads.run { try reader.statsDocument(name, on: $0, unreadable: logUnreadable) })
            }
        }
        router.get("/api/queues/:queue/activity") { _, context in
            await answer {
                let name = try queueName(context)
                return try Self.json(encoding: try await threads.run { try reader.activity(name, on: $0) })
            }
        }
        router.get("/api/queues/:queue/jobs/:id") { _, context in
            await answer {
                let name = try queueName(context), id = Self.parameter("id", of: context.parameters)
                return try Self.json(encoding: try await threads.run { try reader.job(id, in: name, on: $0) })
            }
        }
        router.get("/metrics") { _, _ in
            await answer {
                let text = try await threads.run { try reader.metricsText(on: $0, unreadable: logUnreadable) }
                return Self.text(text, type: "text/plain; version=0.0.4; charset=utf-8")
            }
        }
        let actions: [(String, @Sendable (Parameters) -> QueueAction)] = [
            ("pause", { _ in .pause }), ("resume", { _ in .resume }), ("breaker/reset", { _ in .resetBreaker }),
            ("emergency-stop", { _ in .emergencyStop }), ("dead/retry", { _ in .retryDead(nil) }),
            ("dead/:id/retry", { .retryDead(Self.parameter("id", of: $0)) }),
        ]
        for (path, action) in actions {
            router.post(RouterPath("/api/queues/:queue/" + path)) { request, context in
                await answer {
                    try guardian.check(request)
                    let name = try queueName(context), change = action(context.parameters)
                    let done = try await threads.run { try reader.perform(change, on: name, by: Self.operatorName, connection: $0) }
                    logger.notice("\(done)")
                    return try Self.json(encoding: ["done": done])
                }
            }
        }
    }

    /// Who the actions are recorded as done by: the server's user and host, marked as the dashboard.
    private static let operatorName = "\(OperatorIdentity.current) (dashboard)"

    /// A path parameter as the client meant it: the page percent-encodes queue names and job ids
    /// (a scheduled job's id holds colons), and the router hands them over as sent.
    private static func parameter(_ name: String, of parameters: Parameters) -> String {
        let raw = parameters.get(name) ?? ""
        return raw.removingPercentEncoding ?? raw
    }

    private func queueName(_ context: BasicRequestContext) throws -> QueueName {
        let text = Self.parameter("queue", of: context.parameters)
        guard let name = try? QueueName(text) else { throw WebError(.badRequest, "'\(text.prefix(80))' is not a valid queue name") }
        return name
    }

    private func logUnreadable(_ error: JobQueueError) {
        logger.error("\(error.description)")
    }

    /// Runs a handler and answers a failure with its status and `{"error": "..."}`.
    private func answer(_ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error as WebError {
            if error.code == .redis { logger.error("\(error.message)") }
            return Self.failure(error)
        } catch {
            logger.error("\(error)")
            return Self.failure(WebError(.redis, "\(error)"))
        }
    }

    private static func failure(_ error: WebError) -> Response {
        let body = (try? JSONEncoder().encode(["error": error.message])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return text(body, type: "application/json", status: HTTPResponse.Status(code: error.status))
    }

    private static func json(_ text: String) -> Response {
        Self.text(text, type: "application/json")
    }

    private static func json<T: Encodable>(encoding value: T) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return json(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    private static func text(_ text: String, type: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: type], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
