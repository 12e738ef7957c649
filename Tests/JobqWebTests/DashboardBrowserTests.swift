import Foundation
import JobqTestSupport
import Testing

/// The page in a real headless Chromium (Debian's `chromium`) against real queues: what its
/// script rendered after it ran, and a screenshot kept as an artifact.
@Suite("Dashboard in a headless browser") struct DashboardBrowserTests {
    /// Debian's Chromium, or nil when it is not installed.
    private static let chromium = Program.find("chromium") ?? Program.find("chromium-browser")

    /// Where screenshots are kept: `test-artifacts/` beside the built binaries.
    private static let artifacts = Binaries.directory.appendingPathComponent("test-artifacts")

    /// Loads `url` in headless Chromium, lets its scripts run for up to `budget` ms of virtual time,
    /// and returns the DOM; with `screenshot`, saves a PNG of the page there too.
    private func render(_ url: String, screenshot: URL? = nil, budget: Int = 8000) throws -> String {
        guard let chromium = Self.chromium else { throw TestFailure("chromium is not installed (apt-get install chromium)") }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        var arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars",
            "--user-data-dir=\(profile.path)", "--virtual-time-budget=\(budget)", "--window-size=1280,1600",
        ]
        if let screenshot {
            arguments.append("--screenshot=\(screenshot.path)")
        } else {
            arguments.append("--dump-dom")
        }
        let run = try Program.run(chromium, arguments + [url], environment: ["PATH": Program.systemPath, "HOME": profile.path], timeout: .seconds(90))
        guard run.status == 0 else { throw TestFailure("chromium exited with \(run.status): \(run.errors.suffix(2000))") }
        return run.output
    }

    /// The text of the element that starts at the first match of `marker`, up to its section's end.
    private func section(_ dom: String, queue: String) -> String? {
        guard let start = dom.range(of: #"data-queue="\#(queue)""#) else { return nil }
        let rest = dom[start.lowerBound...]
        let end = rest.range(of: "</section>")?.upperBound ?? rest.endIndex
        return String(rest[..<end])
    }

    @Test func pageRendersEveryQueueWithItsVerdictChartTimelineAndDeadLetters() throws {
        // A Redis of its own, so that the page (and the screenshot) shows these three queues only.
        let redis = try RedisServer()
        let fixture = try DashboardFixture(redis: redis.url)
        let server = try WebServerProcess(redis: redis.url)
        let dom = try render(server.url + "/")

        let healthy = try #require(section(dom, queue: fixture.healthy.name.rawValue), "no section for the healthy queue in \(dom.prefix(3000))")
        #expect(healthy.contains(#"data-verdict="ok""#))
        #expect(healthy.contains(#"<span class="verdict ok">OK</span>"#))
        #expect(healthy.contains(#"<svg class="chart""#))
        #expect(healthy.contains(#"<polyline class="processed""#))
        #expect(healthy.contains("processed 5/h"))

        let failing = try #require(section(dom, queue: fixture.failing.name.rawValue))
        for id in fixture.deadIDs { #expect(failing.contains(">\(id)</a>"), "dead letter \(id) not shown") }
        #expect(failing.contains("invalid payload"))
        #expect(failing.contains("ValueError: cannot parse report-1.pdf"))
        #expect(failing.contains(#"<li class="crash">"#))
        #expect(failing.contains("w-crashed"))

        let paused = try #require(section(dom, queue: fixture.paused.name.rawValue))
        #expect(paused.contains(#"data-verdict="paused""#))
        #expect(paused.contains(">PAUSED</span>"))
        #expect(!dom.contains(#"<button"#), "a read-only dashboard shows no action buttons")
        #expect(dom.contains("updated "))
        #expect(dom.contains(#"<div id="token" hidden="">"#))

        try FileManager.default.createDirectory(at: Self.artifacts, withIntermediateDirectories: true)
        let picture = Self.artifacts.appendingPathComponent("dashboard.png")
        try? FileManager.default.removeItem(at: picture)
        _ = try render(server.url + "/", screenshot: picture)
        let size = (try FileManager.default.attributesOfItem(atPath: picture.path)[.size] as? Int) ?? 0
        #expect(size > 10_000, "screenshot \(picture.path) is \(size) bytes")
        print("dashboard screenshot: \(picture.path)")
    }

    @Test func jobPageShowsTheJobWithItsLastError() throws {
        let fixture = try DashboardFixture()
        let server = try WebServerProcess()
        let id = fixture.deadIDs[0]
        let dom = try render("\(server.url)/queues/\(fixture.failing.name)/jobs/\(id)")
        #expect(dom.contains(#"data-job="\#(id)""#))
        #expect(dom.contains("Job \(id)"))
        #expect(dom.contains(#"<pre class="last-error">ValueError: cannot parse report-1.pdf</pre>"#))
        #expect(dom.contains("invalid payload"))
    }
}
