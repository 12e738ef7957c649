import HumanUnits
import JobQueue

extension QueueStats {
    /// Renders the statistics for a terminal: the verdicts first with their evidence and fixes,
    /// then one labelled line per part (`docs/operations.md` explains each). Lines are wrapped to
    /// `width` columns; commands are never wrapped.
    public func renderText(width: Int = 80) -> String {
        var lines: [String] = []
        let also = verdicts.dropFirst().map(\.kind.title)
        lines.append("\(queue): \(verdict.title)" + (also.isEmpty ? "" : " (also \(also.joined(separator: ", ")))"))
        for verdict in verdicts {
            lines += TextLayout.wrap("\(verdict.kind.title): \(verdict.summary)", width: width, indent: "  ", continuation: "    ")
            for line in verdict.evidence { lines += TextLayout.wrap("- " + line, width: width, indent: "    ", continuation: "      ") }
            lines += verdict.fix.map { "    $ \($0)" }
        }
        func row(_ label: String, _ text: String) {
            lines += TextLayout.wrap(text, width: width, indent: "  " + label.padding(toLength: 12, withPad: " ", startingAt: 0), continuation: String(repeating: " ", count: 16))
        }
        row("jobs", jobsLine)
        row("queue", (paused ? "paused" : "not paused") + "; " + (stopRequest.map { "\($0.summary) (\(ago($0.at)))" } ?? "no stop request"))
        row("rate limit", rateLimit.map { "\($0.count) per \(HumanText.duration($0.periodMilliseconds)), burst \($0.burst); \(String(format: "%.2f", $0.tokens)) tokens now" } ?? "none")
        row("concurrency", concurrencyLine)
        lines += counterTable()
        if workers.isEmpty {
            row("workers", "none alive")
        } else {
            for (index, worker) in workers.enumerated() { row(index == 0 ? "workers" : "", workerLine(worker)) }
        }
        row("supervisor", supervisorLine)
        if let standby = supervisor.standby { row("", "standby: \(standby) (tried \(ago(supervisor.standbyAt)))") }
        let hour = counters.lastHour.counts
        row("last hour", "\(HumanText.count(hour.launches, "launch", plural: "launches")), \(HumanText.count(hour.crashes, "crash", plural: "crashes")), "
            + "\(HumanText.count(hour.oomKills, "OOM kill")); \(hour.poison) poison (\(counters.total.poison) in total)")
        if recentExits.isEmpty {
            row("last exits", "none recorded")
        } else {
            for (index, exit) in recentExits.enumerated() { row(index == 0 ? "last exits" : "", exitLine(exit)) }
        }
        row("emergency", emergencyLine)
        for (index, schedule) in schedules.enumerated() {
            row(index == 0 ? "schedules" : "", "\(schedule.name): \(schedule.summaryLine(now: at))")
        }
        for (index, (name, reason)) in unreadableSchedules.sorted(by: { $0.key < $1.key }).enumerated() {
            row(index == 0 && schedules.isEmpty ? "schedules" : "", "\(name): cannot be read by this version of jobq (\(reason)); it does not fire")
        }
        if !schedules.isEmpty || !unreadableSchedules.isEmpty {
            row("", "scheduler " + (schedulerHolder.map { "held by \($0)" } ?? "not running: start jobq supervise \(queue) or jobq schedule run \(queue)"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func ago(_ at: Int64?) -> String { at.map { HumanText.ago($0, now: self.at) } ?? "at an unknown time" }

    private var jobsLine: String {
        let oldest = oldestWaiting.map { " (oldest \($0.ageMilliseconds.map { HumanText.duration($0) } ?? "of unknown age"))" } ?? ""
        let levels = [jobs.waitingHigh > 0 ? "\(jobs.waitingHigh) high" : nil, jobs.waitingLow > 0 ? "\(jobs.waitingLow) low" : nil]
            .compactMap { $0 }
        let priorities = levels.isEmpty ? "" : " (\(levels.joined(separator: ", ")))"
        return "\(jobs.waiting) waiting\(priorities)\(oldest), \(jobs.delayed) delayed" + (jobs.delayedDue > 0 ? " (\(jobs.delayedDue) due)" : "")
            + ", \(jobs.active) running"
            + (jobs.expiredLeases > 0 ? " (\(jobs.expiredLeases) with expired leases)" : "")
            + ", \(jobs.dead) dead, \(jobs.parked) parked"
    }

    private var concurrencyLine: String {
        var text = concurrency.limit.map { "limit \($0), \(concurrency.running) running" } ?? "no limit, \(concurrency.running) running"
        if !locks.isEmpty {
            text += "; held: " + locks.map { lock in
                "\(lock.name) by \(lock.holder)" + (lock.job.map { " (job \($0))" } ?? "")
            }.joined(separator: ", ")
        }
        return text
    }

    private func counterTable() -> [String] {
        let columns = counters.labelled.map(\.label) + ["total"]
        let header = "  " + "counters".padding(toLength: 16, withPad: " ", startingAt: 0) + columns.map { pad($0) }.joined()
        let fields: [(String, StatsCounters.Field)] = [
            ("enqueued", .enqueued), ("processed", .processed), ("failed", .failed), ("retried", .retried),
            ("dead-lettered", .dead), ("crashed", .crashed), ("lost", .lost),
        ]
        return [header] + fields.map { label, field in
            let values = counters.labelled.map { $0.window.counts[field] } + [counters.total[field]]
            return "    " + label.padding(toLength: 14, withPad: " ", startingAt: 0) + values.map { pad(String($0)) }.joined()
        }
    }

    private func pad(_ text: String) -> String {
        String(repeating: " ", count: max(1, 9 - text.count)) + text
    }

    private func workerLine(_ worker: LiveWorker) -> String {
        let place = [worker.host, worker.pid.map { "pid \($0)" }].compactMap { $0 }.joined(separator: " ")
        var text = (place.isEmpty ? worker.id : place) + ": "
        if let job = worker.job {
            text += "job \(job)" + (worker.jobRunningMilliseconds.map { " for \(HumanText.duration($0))" } ?? "")
            if let progress = worker.progress { text += " (\(HumanText.oneLine(progress.description)))" }
        } else {
            text += "idle"
        }
        if let rss = worker.rssBytes { text += ", rss \(ByteSizeText.mebibytes(rss))" }
        return text + ", \(worker.processed) processed"
    }

    private var supervisorLine: String {
        let place = [supervisor.host, supervisor.pid.map { "pid \($0)" }].compactMap { $0 }.joined(separator: " ")
        let on = place.isEmpty ? "" : " on \(place)"
        let since = supervisor.since.map { ", since \(ago($0))" } ?? ""
        let detail = supervisor.detail.map { ": \(HumanText.oneLine($0))" } ?? ""
        switch supervisor.state {
        case .absent:
            return "none has run"
        case .sleeping, .running, .standby:
            return "\(supervisor.state.rawValue)\(on)\(since)\(detail)"
        case .backoff:
            let next = supervisor.backoffUntil.map { $0 - at < 1000 ? ", next launch now" : ", next launch in " + HumanText.duration($0 - at) } ?? ""
            return "backing off\(next)\(on)\(detail)"
        case .deferred:
            // The detail first ("host busy: load … is above --max-load …"), as the supervisor logs it.
            let when = [place, supervisor.since.map { "since \(ago($0))" }].compactMap { $0 }.filter { !$0.isEmpty }
            return "deferred\(detail)" + (when.isEmpty ? "" : " (\(when.joined(separator: ", ")))")
        case .stopped:
            return "stopped\(on)\(since)\(detail)"
        case .breaker:
            return "breaker tripped \(ago(supervisor.breakerAt))\(on): \(supervisor.breakerReason.map { HumanText.oneLine($0) } ?? "no reason recorded")"
        case .gone:
            return "gone: last seen \(ago(supervisor.updatedAt))\(on)\(detail)"
        }
    }

    private func exitLine(_ exit: WorkerExitRecord) -> String {
        let jobs = exit.jobs.isEmpty ? "" : "; jobs: " + exit.jobs.map { "\($0.id) \($0.outcome)" }.joined(separator: ", ")
        return "\(ago(exit.at)): \(exit.cause) after \(HumanText.duration(exit.runTimeMilliseconds))"
            + " (\(exit.host) pid \(exit.pid))\(exit.crash ? ", crash" : "")\(jobs)"
    }

    private var emergencyLine: String {
        guard let stop = lastEmergencyStop else { return "none recorded" }
        var text = "stopped \(ago(stop.at)) by \(stop.by)" + (stop.reason.isEmpty ? "" : " (\(HumanText.oneLine(stop.reason)))")
        if !stop.steps.isEmpty { text += ": " + stop.steps.joined(separator: "; ") }
        if let last = lastEvent, last.action == .resume, last.at >= stop.at { text += "; resumed \(ago(last.at)) by \(last.by)" }
        return text
    }
}
