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
            "--user-data-dir=\(profile.path)", "--virtual-time-budget=\(budget)", "--window-size=1280,2400",
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
        let work = try ScheduledWorkFixture(redis: redis.url)
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
        let scheduled = try #require(section(dom, queue: work.queue.name.rawValue))
        #expect(scheduled.contains(#"<tr class="schedule" data-schedule="report"><td>report</td><td>every 1s</td><td>"#), "\(scheduled)")
        #expect(scheduled.contains(#">\#(work.completedID)</a><span class="job-state completed"> completed</span>"#))
        #expect(scheduled.contains("<td>1 enqueued, 0 skipped, "), "a tick late on a loaded machine may count as missed, never as another job")
        #expect(scheduled.contains("<td>cron 0 3 * * * (Europe/Berlin)</td><td>in "))
        #expect(scheduled.contains(#"<tr class="schedule paused" data-schedule="cleanup"><td>cleanup</td><td>every 1h</td><td>paused</td><td>none yet</td>"#))
        #expect(scheduled.contains(#"<tr class="schedule unreadable" data-schedule="lunar"><td>lunar</td><td class="error" colspan="4">UNREADABLE, does not fire: \#(work.unreadableReason)</td>"#))
        #expect(scheduled.contains("No scheduler is running"))
        #expect(scheduled.contains(#"<tr class="running-job" data-job="\#(work.runningID)">"#))
        #expect(scheduled.contains(#"<progress max="10" value="3"></progress><span class="progress-text">3/10 files (30%)</span>"#))
        for (count, label) in [(4, "waiting"), (2, "high priority"), (1, "normal priority"), (1, "low priority")] {
            #expect(scheduled.contains(#"<b>\#(count)</b><span>\#(label)</span>"#), "\(label) is not \(count)")
        }
        #expect(!healthy.contains("priority"), "no priority split when everything waits at normal priority")

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

    @Test func actionButtonsAndTheTokenFieldAppearOnlyWithAllowActions() throws {
        let redis = try RedisServer()
        let fixture = try DashboardFixture(redis: redis.url)
        let token = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-web-token-\(UUID().uuidString)")
        try Data("browser-test-token-0123456789\n".utf8).write(to: token)
        defer { try? FileManager.default.removeItem(at: token) }
        let server = try WebServerProcess(["--allow-actions", "--token-file", token.path], redis: redis.url)
        let dom = try render(server.url + "/")
        #expect(dom.contains(#"<div id="token">"#))
        let failing = try #require(section(dom, queue: fixture.failing.name.rawValue))
        #expect(failing.contains(#"data-action="/api/queues/\#(fixture.failing.name)/dead/retry">Retry all 2 dead</button>"#))
        #expect(failing.contains(#"data-action="/api/queues/\#(fixture.failing.name)/dead/\#(fixture.deadIDs[0])/retry">retry</button>"#))
        #expect(failing.contains(">Pause</button>"))
        let paused = try #require(section(dom, queue: fixture.paused.name.rawValue))
        #expect(paused.contains(">Resume</button>"))
        #expect(paused.contains(">Emergency stop</button>"))
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

    @Test func jobPageShowsAFinishedJobsOutcomeDurationWorkerResultAndProgress() throws {
        let work = try ScheduledWorkFixture()
        let server = try WebServerProcess()
        let dom = try render("\(server.url)/queues/\(work.queue.name)/jobs/\(work.completedID)")
        #expect(dom.contains(#"data-job="\#(work.completedID)""#))
        #expect(dom.contains("<dt>state</dt><dd>completed</dd>"), "\(dom.suffix(4000))")
        #expect(dom.contains("<dt>type</dt><dd>report</dd>"))
        for field in ["enqueued", "started", "finished", "duration", "owner", "progress saved"] { #expect(dom.contains("<dt>\(field)</dt>"), "no \(field)") }
        #expect(dom.contains("<dt>worker</dt><dd>\(ProcessInfo.processInfo.hostName)/\(getpid())</dd>"))
        #expect(dom.contains("<dt>progress</dt><dd>12/12 pages (100%)</dd>"))
        #expect(dom.contains(#"<pre class="result">\#(ScheduledWorkFixture.result)</pre>"#))
        #expect(!dom.contains("<dt>lease until</dt>"))

        try FileManager.default.createDirectory(at: Self.artifacts, withIntermediateDirectories: true)
        let picture = Self.artifacts.appendingPathComponent("dashboard-job.png")
        try? FileManager.default.removeItem(at: picture)
        _ = try render("\(server.url)/queues/\(work.queue.name)/jobs/\(work.completedID)", screenshot: picture)
        let size = (try FileManager.default.attributesOfItem(atPath: picture.path)[.size] as? Int) ?? 0
        #expect(size > 10_000, "screenshot \(picture.path) is \(size) bytes")
        print("job page screenshot: \(picture.path)")
    }
}

/// The actions clicked in a real browser driven over WebDriver: the POSTs the page sends (with the
/// browser's own Origin and Sec-Fetch-Site headers) pass the checks with the token and fail without.
@Suite("Dashboard actions in a real browser") struct DashboardBrowserActionTests {
    @Test func clickingActsWithTheTokenAndIsRefusedWithoutIt() async throws {
        let redis = try RedisServer()
        let fixture = try DashboardFixture(redis: redis.url)
        let token = "browser-click-token-\(UUID().uuidString)"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-web-token-\(UUID().uuidString)")
        try Data(token.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let server = try WebServerProcess(["--allow-actions", "--token-file", file.path], redis: redis.url)
        let browser = try await WebDriverSession()
        do {
            try await browser.open(server.url + "/")
            let healthy = #"section[data-queue="\#(fixture.healthy.name)"]"#
            try await browser.type("not-the-token", into: "#token-input")
            try await browser.click(#"\#(healthy) button[data-action$="/pause"]"#)
            let refusal = try await browser.waitForText("\(healthy) .message", containing: "X-Jobq-Token")
            #expect(refusal.contains("missing or wrong X-Jobq-Token header"), "\(refusal)")
            #expect(try fixture.healthy.isPaused() == false)

            try await browser.type(token, into: "#token-input")
            try await browser.click(#"section[data-queue="\#(fixture.paused.name)"] button[data-action$="/resume"]"#)
            _ = try await browser.waitForText(#"section[data-queue="\#(fixture.paused.name)"] .message"#, containing: "resumed")
            #expect(try fixture.paused.isPaused() == false)

            let dead = fixture.deadIDs[0]
            try await browser.click(#"button[data-action$="/dead/\#(dead)/retry"]"#)
            let moved = try await browser.waitForText(#"section[data-queue="\#(fixture.failing.name)"] .message"#, containing: "moved")
            #expect(moved.contains("moved 1 dead letter"), "\(moved)")
            #expect(try fixture.failing.job(id: dead)?.state == .waiting)
        } catch {
            await browser.close()
            throw error
        }
        await browser.close()
    }
}
