import Foundation
import Glibc
import JobQueue
import JobqTestSupport
import Testing

/// The alert scripts of `Examples/alerts`, run by `jobq` as its `--alert-exec` against the real
/// thing: a local HTTP server, Debian's sendmail, the journal.
@Suite("Examples/alerts", .serialized) struct ExamplesAlertsTests {
    /// Runs `jobq breaker reset` on a tripped breaker with `script` as the alert command.
    private func resetWithAlert(_ script: String, environment: [String: String]) throws -> (queue: Queue, run: CommandRun) {
        let queue = try TestRedis.queue()
        try queue.tripBreaker(reason: "3 crashes within 1m (last: exit status 1)", host: "web1", pid: 1)
        let run = try CommandRun.run(
            "jobq", ["breaker", "reset", queue.name.rawValue, "--alert-exec", Repository.path("Examples/alerts/" + script)],
            environment: ["JOBQ_REDIS_URL": try TestRedis.url(), "PATH": Program.systemPath].merging(environment) { $1 }
        )
        return (queue, run)
    }

    @Test func theWebhookScriptPostsSlackStyleJSONToAURLFromTheEnvironment() throws {
        let server = try WebhookListener(status: 200)
        let (queue, run) = try resetWithAlert("webhook.sh", environment: ["JOBQ_ALERT_WEBHOOK_URL": server.url + "/hooks/T1"])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardError.contains("delivered"), "\(run.standardError)")
        let post = try #require(server.posts().first)
        #expect(post.path == "/hooks/T1")
        #expect(post.contentType == "application/json")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(post.body.utf8)) as? [String: String])
        #expect(Array(body.keys) == ["text"])
        #expect(body["text"]?.hasPrefix("[INFO] crash-loop breaker of queue \(queue.name) reset") == true, "\(body)")
    }

    @Test func theWebhookScriptPostsNtfyJSONWithTopicAndPriority() throws {
        let server = try WebhookListener(status: 200)
        let (queue, run) = try resetWithAlert("webhook.sh", environment: [
            "JOBQ_ALERT_WEBHOOK_URL": server.url, "JOBQ_ALERT_WEBHOOK_FORMAT": "ntfy", "JOBQ_ALERT_NTFY_TOPIC": "jobq-ops",
        ])
        #expect(run.status == 0, "\(run.standardError)")
        let post = try #require(server.posts().first)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(post.body.utf8)) as? [String: Any])
        #expect(body["topic"] as? String == "jobq-ops")
        #expect(body["title"] as? String == "jobq: breaker_reset on \(queue.name)")
        #expect(body["priority"] as? Int == 3)
        #expect(body["tags"] as? [String] == ["info", "breaker_reset"])
    }

    @Test func aWebhookThatRefusesIsLoggedAsAFailedAlert() throws {
        let server = try WebhookListener(status: 500)
        let (_, run) = try resetWithAlert("webhook.sh", environment: ["JOBQ_ALERT_WEBHOOK_URL": server.url])
        #expect(run.status == 0, "the reset itself succeeded")
        #expect(server.posts().count == 1)
        #expect(run.standardError.contains("not delivered"), "\(run.standardError)")
        #expect(run.standardError.contains("500"), "curl's error is in the log: \(run.standardError)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/sbin/sendmail"), "no /usr/sbin/sendmail: install an MTA (apt-get install dma)"))
    func theMailScriptHandsTheAlertToSendmail() throws {
        let mailbox = "/var/mail/" + (ProcessInfo.processInfo.environment["USER"] ?? "root")
        let (queue, run) = try resetWithAlert("mail.sh", environment: ["JOBQ_ALERT_MAIL_TO": ProcessInfo.processInfo.environment["USER"] ?? "root"])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardError.contains("delivered"), "\(run.standardError)")
        let subject = "Subject: [jobq info] crash-loop breaker of queue \(queue.name) reset"
        #expect(eventually(timeout: .seconds(10)) { ((try? String(contentsOfFile: mailbox, encoding: .utf8)) ?? "").contains(subject) }, "delivered to \(mailbox)")
        let mail = (try String(contentsOfFile: mailbox, encoding: .utf8)).components(separatedBy: subject).last ?? ""
        #expect(mail.contains("X-Jobq-Alert: breaker_reset"))
        #expect(mail.contains("queue:      \(queue.name)"))
        #expect(mail.contains("reason:\n  3 crashes within 1m (last: exit status 1)"))
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/run/systemd/journal/stdout"), "no systemd journal here (/run/systemd/journal/stdout): systemd-cat cannot write"))
    func theJournalScriptWritesTheAlertToTheJournal() throws {
        let (queue, run) = try resetWithAlert("journal.sh", environment: [:])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(eventually(timeout: .seconds(10)) {
            let journal = (try? Program.run("/usr/bin/journalctl", ["-t", "jobq-alert", "--no-pager", "-o", "cat"]))?.output ?? ""
            return journal.contains("breaker_reset \(queue.name): crash-loop breaker of queue \(queue.name) reset")
        })
    }
}

/// A local HTTP server (Python's http.server) that records each POST and answers with one status.
private final class WebhookListener {
    struct Post {
        var path: String
        var contentType: String
        var body: String
    }

    let directory: String
    let url: String
    private let process: Process

    init(status: Int) throws {
        directory = NSTemporaryDirectory() + "/jobq-webhook-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = directory + "/listener.py"
        try """
            import http.server, os, sys
            out, status = sys.argv[1], int(sys.argv[2])
            class Handler(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    body = self.rfile.read(int(self.headers.get('Content-Length', '0')))
                    name = os.path.join(out, 'post-%d' % len([n for n in os.listdir(out) if n.startswith('post-')]))
                    with open(name + '.part', 'wb') as f:
                        f.write(self.path.encode() + b'\\n' + self.headers.get('Content-Type', '').encode() + b'\\n' + body)
                    os.rename(name + '.part', name)
                    self.send_response(status)
                    self.send_header('Content-Length', '0')
                    self.end_headers()
                def log_message(self, *args):
                    pass
            server = http.server.HTTPServer(('127.0.0.1', 0), Handler)
            print(server.server_address[1], flush=True)
            server.serve_forever()

            """.write(toFile: script, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script, directory, String(status)]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            throw TestFailure("the webhook listener did not start")
        }
        url = "http://127.0.0.1:\(port)"
    }

    deinit {
        // SIGKILL: the test process blocks SIGTERM in its threads, and a child started with
        // Foundation's Process inherits that mask.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The POSTs received so far, in order.
    func posts() -> [Post] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasPrefix("post-") && !$0.hasSuffix(".part") }
        return names.sorted { Int($0.dropFirst(5)) ?? 0 < Int($1.dropFirst(5)) ?? 0 }.compactMap { name in
            guard let text = try? String(contentsOfFile: directory + "/" + name, encoding: .utf8) else { return nil }
            let parts = text.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3 else { return nil }
            return Post(path: parts[0], contentType: parts[1], body: parts[2])
        }
    }
}
