import Foundation
import JobQueue
import JobqTestSupport
import Testing

@Suite("Dashboard API over real HTTP") struct DashboardAPITests {
    @Test func apiQueuesServesTheStatsJSONDocumentOfEveryQueue() async throws {
        let fixture = try DashboardFixture()
        let server = try WebServerProcess()
        let all = try await HTTPExchange.send("GET", "\(server.url)/api/queues")
        #expect(all.status == 200)
        #expect(all.headers["content-type"] == "application/json")
        #expect(try all.json()["schema"] as? Int == QueueStats.jsonSchemaVersion)
        let queues = try QueueStats.decodeJSONDocument(all.body)
        #expect(Set(fixture.names).isSubset(of: Set(queues.map(\.queue))))

        let one = try await HTTPExchange.send("GET", "\(server.url)/api/queues/\(fixture.failing.name)")
        let failing = try #require(try QueueStats.decodeJSONDocument(one.body).first)
        let direct = try fixture.failing.stats()
        #expect(failing.queue == fixture.failing.name.rawValue)
        #expect(failing.jobs == direct.jobs)
        #expect(failing.counters.total == direct.counters.total)
        #expect(failing.jobs.dead == 2)
        #expect(failing.recentExits.map(\.workerID) == ["w-crashed"])
        let paused = try QueueStats.decodeJSONDocument(try await HTTPExchange.send("GET", "\(server.url)/api/queues/\(fixture.paused.name)").body)
        #expect(paused.first?.verdict == .paused)
        #expect(try one.json()["redis"] is [String: Any])
    }

    @Test func activityHasTheHourPerMinuteTheTimelineAndTheDeadLetters() async throws {
        let fixture = try DashboardFixture()
        let server = try WebServerProcess()
        let failing = try await HTTPExchange.send("GET", "\(server.url)/api/queues/\(fixture.failing.name)/activity").json()
        let minutes = try #require(failing["minutes"] as? [String: Any])
        let enqueued = try #require(minutes["enqueued"] as? [Int])
        #expect(enqueued.count == 61)
        #expect(enqueued.reduce(0, +) == 2)
        #expect((minutes["failed"] as? [Int])?.reduce(0, +) == 2)
        #expect((minutes["start"] as? Int).map { $0 % 60_000 } == 0)
        let timeline = try #require(failing["timeline"] as? [[String: Any]])
        #expect(timeline.contains { $0["kind"] as? String == "crash" && ($0["text"] as? String)?.contains("w-crashed") == true })
        let dead = try #require(failing["dead_letters"] as? [[String: Any]])
        #expect(dead.compactMap { $0["id"] as? String } == fixture.deadIDs)
        #expect(dead.first?["dead_reason"] as? String == "invalid payload")
        #expect((dead.first?["last_error"] as? String)?.contains("cannot parse report-1.pdf") == true)

        let healthy = try await HTTPExchange.send("GET", "\(server.url)/api/queues/\(fixture.healthy.name)/activity").json()
        #expect(((healthy["minutes"] as? [String: Any])?["processed"] as? [Int])?.reduce(0, +) == 5)
    }

    @Test func jobRouteShowsAJobAndRefusesUnknownOnes() async throws {
        let fixture = try DashboardFixture()
        let server = try WebServerProcess()
        let id = try #require(fixture.deadIDs.first)
        let job = try await HTTPExchange.send("GET", "\(server.url)/api/queues/\(fixture.failing.name)/jobs/\(id)")
        #expect(job.status == 200)
        let record = try job.json()
        #expect(record["id"] as? String == id)
        #expect(record["state"] as? String == "dead")
        #expect(record["dead_reason"] as? String == "invalid payload")
        #expect((record["body"] as? String)?.contains("report-1.pdf") == true)

        let missing = try await HTTPExchange.send("GET", "\(server.url)/api/queues/\(fixture.failing.name)/jobs/no-such-job")
        #expect(missing.status == 404)
        #expect((try missing.json()["error"] as? String)?.contains("no job 'no-such-job'") == true)
        let unknownQueue = try await HTTPExchange.send("GET", "\(server.url)/api/queues/\(try uniqueQueueName())")
        #expect(unknownQueue.status == 404)
        let badName = try await HTTPExchange.send("GET", "\(server.url)/api/queues/bad%20name")
        #expect(badName.status == 400)
    }

    @Test func aFinishedScheduledJobIsFoundByItsPercentEncodedIDWithItsOutcome() async throws {
        let work = try ScheduledWorkFixture()
        let server = try WebServerProcess()
        #expect(work.completedID.contains(":"), "a scheduled job's id holds colons, which the page encodes")
        let encoded = try #require(work.completedID.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
        let answer = try await HTTPExchange.send("GET", "\(server.url)/api/queues/\(work.queue.name)/jobs/\(encoded)")
        #expect(answer.status == 200, "\(answer.text)")
        let record = try answer.json()
        #expect(record["id"] as? String == work.completedID)
        #expect(record["state"] as? String == "completed")
        #expect(record["result"] as? String == ScheduledWorkFixture.result)
        #expect(record["finished_at"] is Int && record["duration_ms"] is Int)
        #expect(record["host"] as? String == ProcessInfo.processInfo.hostName)
        let progress = try #require(record["progress"] as? [String: Any])
        #expect(progress["done"] as? Int == 12 && progress["total"] as? Int == 12 && progress["message"] as? String == "pages")
    }

    @Test func metricsAreThePrometheusTextAndParseWithTheReferenceParser() async throws {
        guard let python = Python.interpreter, Python.canImport("prometheus_client") else {
            Issue.record("prometheus_client is not installed (python3 -m pip install prometheus_client)")
            return
        }
        let fixture = try DashboardFixture()
        let server = try WebServerProcess()
        let metrics = try await HTTPExchange.send("GET", "\(server.url)/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        let parse = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        out = {}
        for family in text_string_to_metric_families(sys.stdin.read()):
            for s in family.samples:
                out.setdefault(family.name + ":" + family.type, []).append({"name": s.name, "labels": s.labels, "value": s.value})
        print(json.dumps(out))
        """
        let run = try Program.run(python, ["-c", parse], environment: ProcessInfo.processInfo.environment, standardInput: metrics.text)
        #expect(run.status == 0, "\(run.errors)")
        let families = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: [[String: Any]]])
        func value(_ family: String, _ queue: String, _ extra: [String: String] = [:]) -> Double? {
            families[family]?.first { sample in
                let labels = sample["labels"] as? [String: String] ?? [:]
                return labels["queue"] == queue && extra.allSatisfy { labels[$0.key] == $0.value }
            }?["value"] as? Double
        }
        #expect(value("jobq_waiting_jobs:gauge", fixture.healthy.name.rawValue) == 1)
        #expect(value("jobq_dead_jobs:gauge", fixture.failing.name.rawValue) == 2)
        #expect(value("jobq_paused:gauge", fixture.paused.name.rawValue) == 1)
        #expect(value("jobq_processed:counter", fixture.healthy.name.rawValue) == 5)
        #expect(value("jobq_verdict:gauge", fixture.paused.name.rawValue, ["verdict": "paused"]) == 1)
        #expect(families["jobq_redis_used_memory_bytes:gauge"]?.isEmpty == false)
    }

    @Test func pageAndAssetsAreServedFromTheBinaryWithSecurityHeaders() async throws {
        let server = try WebServerProcess()
        for path in ["/", "/queues/q", "/queues/q/jobs/1"] {
            let page = try await HTTPExchange.send("GET", server.url + path)
            #expect(page.status == 200)
            #expect(page.headers["content-type"] == "text/html; charset=utf-8")
            #expect(page.text.contains(#"<script src="/assets/dashboard.js" defer></script>"#))
            #expect(page.headers["content-security-policy"]?.contains("default-src 'self'") == true)
            #expect(page.headers["x-frame-options"] == "DENY")
        }
        let script = try await HTTPExchange.send("GET", "\(server.url)/assets/dashboard.js")
        #expect(script.status == 200)
        #expect(script.headers["content-type"] == "text/javascript; charset=utf-8")
        #expect(script.text.contains("/api/queues"))
        #expect(!script.text.contains("https://"), "the page must work offline: no asset from elsewhere")
        let style = try await HTTPExchange.send("GET", "\(server.url)/assets/dashboard.css")
        #expect(style.headers["content-type"] == "text/css; charset=utf-8")
        #expect(try await HTTPExchange.send("GET", "\(server.url)/assets/nothing.js").status == 404)
        let settings = try await HTTPExchange.send("GET", "\(server.url)/api/server").json()
        #expect(settings["actions"] as? Bool == false)
        #expect(settings["refresh_seconds"] as? Int == 1)
    }
}
