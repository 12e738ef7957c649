import Foundation
import JobQueue
import JobqTestSupport
import RedisClient
import Testing

/// The systemd units and the environment file example in `systemd/`.
@Suite("Deployment files") struct ExamplesDeploymentTests {
    static let systemdAnalyze = Program.find("systemd-analyze")

    /// Runs `scripts/verify-units.sh [units]` against the binaries these tests were built with.
    private func verifyUnits(_ arguments: [String] = []) throws -> ProgramRun {
        let analyzeDirectory = URL(fileURLWithPath: Self.systemdAnalyze ?? "/usr/bin/systemd-analyze").deletingLastPathComponent().path
        return try Program.run(
            "/bin/bash", [Repository.path("scripts/verify-units.sh")] + arguments,
            environment: ["PATH": "\(analyzeDirectory):\(Program.systemPath)", "JOBQ_BIN_DIR": Binaries.directory.path])
    }

    @Test(.enabled(if: systemdAnalyze != nil, "needs systemd-analyze (apt-get install systemd)"))
    func shippedUnitsPassSystemdVerification() throws {
        let run = try verifyUnits()
        #expect(run.status == 0, "verify-units.sh failed:\n\(run.output)\(run.errors)")
        for check in [
            "ok:   systemd-analyze verify jobq-supervisor@test.service\n",
            "ok:   systemd-analyze verify jobq-drain@test.service\n",
            "ok:   systemd-analyze verify jobq-drain@test.timer with jobq-drain@test.service\n",
            "ok:   systemd-analyze verify jobq-supervisor@test.service with drop-ins/redis-credential.conf\n",
            "ok:   systemd-analyze verify jobq-supervisor@test.service with drop-ins/python-worker.conf\n",
            "ok:   jobq-drain@.service: ingest-worker knows --queue --idle-exit --stop-grace\n",
            "ok:   jobq.env.example: environment file syntax\n",
        ] {
            #expect(run.output.contains(check), "missing from verify-units.sh output: \(check)")
        }
    }

    @Test(.enabled(if: systemdAnalyze != nil, "needs systemd-analyze (apt-get install systemd)"))
    func verificationFailsOnAnUnknownKeyABarePercentAndAnUnknownOption() throws {
        let units = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-units-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: units) }
        try FileManager.default.copyItem(atPath: Repository.path("systemd"), toPath: units.path)
        let supervisor = units.appendingPathComponent("jobq-supervisor@.service")
        var text = try String(contentsOf: supervisor, encoding: .utf8)
        text = text.replacingOccurrences(of: "WatchdogSec=60s\n", with: "WatchdogSec=60s\nWatchdogSeconds=60\n")
        text = text.replacingOccurrences(of: "--cpu 25%%", with: "--cpu 25%")
        try text.write(to: supervisor, atomically: true, encoding: .utf8)
        let drain = units.appendingPathComponent("jobq-drain@.service")
        let drainText = try String(contentsOf: drain, encoding: .utf8)
        try drainText.replacingOccurrences(of: "--idle-exit 30s", with: "--idle-exit 30s --drain-faster")
            .write(to: drain, atomically: true, encoding: .utf8)

        let run = try verifyUnits([units.path])
        #expect(run.status == 1)
        #expect(run.output.contains("'WatchdogSeconds'"), "the unknown key is reported:\n\(run.output)")
        #expect(run.output.contains("FAIL: systemd-analyze verify jobq-supervisor@test.service"))
        #expect(run.output.contains("FAIL: jobq-supervisor@.service: bare %"))
        #expect(run.output.contains("FAIL: jobq-drain@.service: ingest-worker has no option --drain-faster"))
    }

    /// NAME=value assignments of an environment file; with `commented`, also those behind a `#`.
    private func assignments(_ text: String, commented: Bool) -> [String: String] {
        var result: [String: String] = [:]
        for rawLine in text.split(separator: "\n") {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") {
                guard commented else { continue }
                line = String(line.dropFirst())
            }
            guard let equals = line.firstIndex(of: "="),
                  line[..<equals].allSatisfy({ $0 == "_" || $0.isUppercase || $0.isNumber }), equals != line.startIndex
            else { continue }
            result[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return result
    }

    @Test func environmentExampleConfiguresRedisTheWayJobqReadsIt() throws {
        let text = try Repository.text("systemd/jobq.env.example")
        let active = assignments(text, commented: false)
        #expect(Set(active.keys) == ["JOBQ_REDIS_URL"])
        let everyName = Set(assignments(text, commented: true).keys)
        #expect(everyName == [
            "JOBQ_REDIS_URL", "JOBQ_REDIS_PASSWORD_FILE", "JOBQ_SENTINEL_PASSWORD_FILE", "INGEST_RESULTS",
            "JOBQ_ALERT_WEBHOOK_URL", "JOBQ_ALERT_WEBHOOK_FORMAT",
        ])
        // The alert settings it suggests are the ones the webhook example reads.
        let webhook = try Repository.text("Examples/alerts/webhook.sh")
        for name in everyName where name.hasPrefix("JOBQ_ALERT_") { #expect(webhook.contains("${\(name):"), "\(name)") }

        let configuration = try RedisConfiguration.resolve(explicitURL: nil, environment: active)
        #expect(configuration.description.contains("127.0.0.1:6379"))
        #expect(configuration.password == nil)

        // The password file variable the example suggests is the one jobq reads.
        let secret = FileManager.default.temporaryDirectory.appendingPathComponent("jobq-secret-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: secret) }
        try "s3cret\n".write(to: secret, atomically: true, encoding: .utf8)
        var withPassword = active
        withPassword["JOBQ_REDIS_PASSWORD_FILE"] = secret.path
        #expect(try RedisConfiguration.resolve(explicitURL: nil, environment: withPassword).password == "s3cret")

        // So is the sentinel password file variable, for a redis+sentinel:// URL.
        let sentinel = ["JOBQ_REDIS_URL": "redis+sentinel://127.0.0.1:26379/jobq-master", "JOBQ_SENTINEL_PASSWORD_FILE": secret.path]
        #expect(try RedisConfiguration.resolve(explicitURL: nil, environment: sentinel).sentinel?.password == "s3cret")
    }
}
