import Foundation
import JobQueue
import JobqTestSupport
import Testing

@Suite("Dashboard actions: token, POST only, same origin") struct DashboardActionTests {
    private static let token = "s3cret-token-\(UUID().uuidString)"

    /// A server with actions allowed and its token file.
    private func actionServer() throws -> WebServerProcess {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-web-token-\(UUID().uuidString)")
        try Data((Self.token + "\n").utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try WebServerProcess(["--allow-actions", "--token-file", file.path])
    }

    @Test func actionsAreRefusedWithoutAllowActionsEvenWithAToken() async throws {
        let fixture = try DashboardFixture()
        let server = try WebServerProcess()
        let answer = try await HTTPExchange.send("POST", "\(server.url)/api/queues/\(fixture.healthy.name)/pause", headers: ["X-Jobq-Token": Self.token])
        #expect(answer.status == 403)
        #expect((try answer.json()["error"] as? String)?.contains("--allow-actions") == true)
        #expect(try fixture.healthy.isPaused() == false)
    }

    @Test func getNeverChangesAnything() async throws {
        let fixture = try DashboardFixture()
        let server = try actionServer()
        let before = try fixture.failing.stats()
        for path in ["pause", "emergency-stop", "dead/retry", "dead/\(fixture.deadIDs[0])/retry", "breaker/reset", "resume"] {
            let answer = try await HTTPExchange.send("GET", "\(server.url)/api/queues/\(fixture.failing.name)/\(path)", headers: ["X-Jobq-Token": Self.token])
            #expect(answer.status >= 400, "GET \(path) answered \(answer.status)")
        }
        let resume = try await HTTPExchange.send("GET", "\(server.url)/api/queues/\(fixture.paused.name)/resume", headers: ["X-Jobq-Token": Self.token])
        #expect(resume.status >= 400)
        let after = try fixture.failing.stats()
        #expect(after.jobs == before.jobs)
        #expect(after.paused == false && after.stopRequest == nil)
        #expect(try fixture.paused.isPaused())
    }

    @Test func postWithoutTheRightTokenOrFromAnotherSiteIsRefused() async throws {
        let fixture = try DashboardFixture()
        let server = try actionServer()
        let pause = "\(server.url)/api/queues/\(fixture.healthy.name)/pause"
        let host = String(server.url.dropFirst("http://".count))
        let refused: [([String: String], Int)] = [
            ([:], 403),
            (["X-Jobq-Token": "wrong-\(Self.token)"], 403),
            (["X-Jobq-Token": String(Self.token.dropLast())], 403),
            (["X-Jobq-Token": Self.token, "Sec-Fetch-Site": "cross-site"], 403),
            (["X-Jobq-Token": Self.token, "Origin": "http://evil.example"], 403),
            (["X-Jobq-Token": Self.token, "Content-Type": "application/x-www-form-urlencoded"], 415),
            (["X-Jobq-Token": Self.token, "Content-Type": "text/plain"], 415),
        ]
        for (headers, status) in refused {
            // A body only with a content type: URLSession labels any other body a form.
            let answer = try await HTTPExchange.send("POST", pause, headers: headers, body: headers["Content-Type"] == nil ? nil : Data("x=1".utf8))
            #expect(answer.status == status, "\(headers) answered \(answer.status): \(answer.text)")
        }
        #expect(try fixture.healthy.isPaused() == false)

        let sameOrigin = try await HTTPExchange.send(
            "POST", pause, headers: ["X-Jobq-Token": Self.token, "Origin": "http://\(host)", "Sec-Fetch-Site": "same-origin"])
        #expect(sameOrigin.status == 200, "\(sameOrigin.text)")
        #expect(try fixture.healthy.isPaused())
    }

    @Test func postWithTheTokenActsAsTheCommandsDo() async throws {
        let fixture = try DashboardFixture()
        let server = try actionServer()
        func post(_ queue: Queue, _ path: String) async throws -> String {
            let answer = try await HTTPExchange.send("POST", "\(server.url)/api/queues/\(queue.name)/\(path)", headers: ["X-Jobq-Token": Self.token])
            #expect(answer.status == 200, "\(path): \(answer.text)")
            return try answer.json()["done"] as? String ?? ""
        }

        #expect(try await post(fixture.paused, "resume").contains("resumed"))
        #expect(try fixture.paused.isPaused() == false)
        #expect(try fixture.paused.events().first?.by.contains("(dashboard)") == true)

        let one = fixture.deadIDs[0]
        #expect(try await post(fixture.failing, "dead/\(one)/retry").contains("moved 1 dead letter"))
        #expect(try fixture.failing.job(id: one)?.state == .waiting)
        let missing = try await HTTPExchange.send("POST", "\(server.url)/api/queues/\(fixture.failing.name)/dead/\(one)/retry", headers: ["X-Jobq-Token": Self.token])
        #expect(missing.status == 404)
        #expect(try await post(fixture.failing, "dead/retry").contains("moved 1 dead letter"))
        #expect(try fixture.failing.stats().jobs.dead == 0)

        try fixture.healthy.tripBreaker(reason: "5 crashes within 10m", host: "web-test", pid: 1)
        #expect(try await post(fixture.healthy, "breaker/reset").contains("reset"))
        #expect(try fixture.healthy.supervisorStatus().breaker == false)

        #expect(try await post(fixture.healthy, "emergency-stop").contains("stopped"))
        let stopped = try fixture.healthy.stats()
        #expect(stopped.paused && stopped.stopRequest != nil)
        #expect(stopped.lastEmergencyStop?.reason == "emergency stop from the dashboard")
        #expect(try await post(fixture.healthy, "pause").contains("paused"))
    }
}
