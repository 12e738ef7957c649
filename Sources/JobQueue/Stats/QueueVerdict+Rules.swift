import HumanUnits
/// The rules that judge a queue (documented in `docs/operations.md`, "Verdicts").
extension QueueVerdict {
    /// Every verdict that applies to the statistics, most urgent first; empty means OK.
    ///
    /// In order: LOST (a job was lost, its hash evicted, within
    /// ``StatsConfiguration/lostVerdictFor``); CRASH LOOP (breaker tripped, or ``StatsConfiguration/crashLoopCrashes`` worker
    /// crashes in the last 10 minutes); STUCK (work waiting with nothing processed and nothing
    /// running, expired leases nobody recovers, or jobs crashing with nothing processed); STOPPED
    /// (stop request set); PAUSED; BACKLOG (more enqueued than processed in the last 5 minutes and
    /// the waiting list grew by at least ``StatsConfiguration/backlogGrowth``).
    public static func judge(_ stats: QueueStats, configuration: StatsConfiguration = StatsConfiguration()) -> [QueueVerdict] {
        let rules = VerdictRules(stats: stats, configuration: configuration)
        return [rules.lost(), rules.crashLoop(), rules.stuck(), rules.stopped(), rules.paused(), rules.backlog()].compactMap { $0 }
    }
}

/// The rules applied to one queue's statistics.
private struct VerdictRules {
    let stats: QueueStats
    let configuration: StatsConfiguration

    private var queue: String { stats.queue }
    private var now: Int64 { stats.at }
    private func ago(_ at: Int64?) -> String { at.map { HumanText.ago($0, now: now) } ?? "at an unknown time" }

    func lost() -> QueueVerdict? {
        guard let last = stats.lastLost, now - last.at < configuration.lostVerdictFor.milliseconds else { return nil }
        let hour = stats.counters.lastHour.counts.lost
        return QueueVerdict(
            kind: .lost,
            summary: "jobs vanished from Redis (evicted) and will never run",
            evidence: [
                "\(HumanText.count(hour, "job")) lost in the last hour, \(stats.counters.total.lost) in total;"
                    + " the last, \(last.id), \(ago(last.at)) while \(last.state)",
                "a Redis whose maxmemory-policy is not noeviction deletes keys when it is full",
            ],
            fix: ["jobq diagnose", "redis-cli CONFIG SET maxmemory-policy noeviction"]
        )
    }

    func crashLoop() -> QueueVerdict? {
        let supervisor = stats.supervisor
        let window = stats.counters.last10Minutes.counts
        guard supervisor.breakerTripped || window.crashes >= configuration.crashLoopCrashes else { return nil }
        var evidence: [String] = []
        if supervisor.breakerTripped {
            evidence.append("breaker tripped \(ago(supervisor.breakerAt)): \(supervisor.breakerReason ?? "no reason recorded")")
        }
        evidence.append(
            "\(HumanText.count(window.crashes, "worker crash", plural: "worker crashes")) in the last 10m"
                + " (\(configuration.crashLoopCrashes) make a crash loop), \(HumanText.count(window.oomKills, "OOM kill"))"
        )
        let crashes = stats.recentExits.filter(\.crash)
        if let latest = crashes.first {
            var causes: [(cause: String, count: Int)] = []
            for exit in crashes {
                if let index = causes.firstIndex(where: { $0.cause == exit.cause }) { causes[index].count += 1 } else { causes.append((exit.cause, 1)) }
            }
            evidence.append("last crashes: " + causes.map { "\($0.cause) (\($0.count)×)" }.joined(separator: ", ") + "; the latest \(ago(latest.at))")
        }
        let poison = stats.counters.lastHour.counts.poison
        if poison > 0 { evidence.append("\(HumanText.count(poison, "job")) quarantined as poison in the last hour") }
        return QueueVerdict(
            kind: .crashLoop,
            summary: supervisor.breakerTripped
                ? "the crash-loop breaker tripped: no worker is launched until it is reset"
                : "workers keep crashing",
            evidence: evidence,
            fix: ["jobq dead \(queue)"] + (supervisor.breakerTripped ? ["jobq breaker reset \(queue)"] : [])
        )
    }

    func stuck() -> QueueVerdict? {
        guard !stats.paused, stats.stopRequest == nil else { return nil }
        let recent = stats.counters.last5Minutes.counts
        var evidence: [String] = []
        var fix: [String] = []
        let running = !stats.workers.isEmpty || [.running, .backoff].contains(stats.supervisor.state)
        let age = stats.oldestWaiting?.ageMilliseconds
        let waitedLongEnough = age.map { $0 >= configuration.stuckAfter.milliseconds } ?? true
        if stats.jobs.waiting + stats.jobs.delayedDue > 0, waitedLongEnough, recent.processed == 0, !running {
            let oldest = age.map { "the oldest for \(HumanText.duration($0))" } ?? "the oldest of unknown age"
            evidence.append("\(stats.jobs.waiting) waiting (\(oldest)), \(stats.jobs.delayedDue) delayed and due; nothing processed in the last 5m")
            evidence.append("no live worker; supervisor: \(stats.supervisor.state.rawValue)" + (stats.supervisor.detail.map { " (\($0))" } ?? ""))
            fix += stats.supervisor.state == .deferred ? ["jobq diagnose"] : ["systemctl status jobq-supervisor@\(queue)"]
        }
        if stats.jobs.expiredLeases > 0 {
            evidence.append(
                "\(HumanText.count(stats.jobs.expiredLeases, "running job")) whose lease ended over"
                    + " \(HumanText.duration(configuration.expiredLeaseGrace.milliseconds)) ago and nobody recovered:"
                    + " no worker or supervisor runs the reaper"
            )
            if fix.isEmpty { fix.append("systemctl status jobq-supervisor@\(queue)") }
        }
        if recent.crashed >= configuration.stuckCrashedJobs, recent.processed == 0 {
            evidence.append(
                "\(HumanText.count(recent.crashed, "job")) crashed in the last 5m (a lease expired or a worker died"
                    + " with it in hand) and none was processed"
            )
            fix.append("jobq dead \(queue)")
        }
        guard !evidence.isEmpty else { return nil }
        return QueueVerdict(kind: .stuck, summary: "work is not progressing", evidence: evidence, fix: fix)
    }

    func stopped() -> QueueVerdict? {
        guard let request = stats.stopRequest else { return nil }
        return QueueVerdict(
            kind: .stopped,
            summary: "a stop request holds the supervisor: no worker is launched",
            evidence: [
                "\(request.summary) (\(ago(request.at)))",
                "\(stats.jobs.waiting) waiting, \(stats.jobs.active) running; supervisor: \(stats.supervisor.state.rawValue)",
            ],
            fix: ["jobq resume \(queue)"]
        )
    }

    func paused() -> QueueVerdict? {
        guard stats.paused else { return nil }
        return QueueVerdict(
            kind: .paused,
            summary: "the queue is paused: no job is handed out",
            evidence: ["\(stats.jobs.waiting) waiting, \(stats.jobs.active) still running"],
            fix: ["jobq resume \(queue)"]
        )
    }

    func backlog() -> QueueVerdict? {
        let window = stats.counters.last5Minutes
        let counts = window.counts
        let growth = counts.enqueued - counts.processed - counts.dead - counts.cancelled
        guard stats.jobs.waiting > 0, counts.enqueued > counts.processed, growth >= configuration.backlogGrowth else { return nil }
        let oldest = stats.oldestWaiting?.ageMilliseconds.map { ", the oldest for \(HumanText.duration($0))" } ?? ""
        return QueueVerdict(
            kind: .backlog,
            summary: "work arrives faster than it is processed",
            evidence: [
                "last 5m: enqueued \(HumanText.perMinute(window.perMinute(.enqueued))),"
                    + " processed \(HumanText.perMinute(window.perMinute(.processed))); the waiting list grew by about \(growth)",
                "\(stats.jobs.waiting) waiting\(oldest); \(HumanText.count(stats.workers.count, "live worker"))",
            ],
            fix: ["jobq limit \(queue)", "jobq stats \(queue) --watch 10"]
        )
    }
}
