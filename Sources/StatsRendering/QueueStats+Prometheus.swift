import JobQueue

extension QueueStats {
    /// The statistics of several queues in the Prometheus text exposition format (version 0.0.4),
    /// for node_exporter's textfile collector: each metric once with `# HELP` and `# TYPE`, then one
    /// sample per queue labelled `queue="…"`. Metrics with no sample (no queue has a rate limit)
    /// are left out.
    /// With `redis`, the server's figures follow, labelled `redis="<address>"`.
    public static func prometheusText(_ stats: [QueueStats], redis: (address: String, memory: RedisMemory)? = nil) -> String {
        var lines: [String] = []
        for metric in PrometheusMetric.all {
            let samples = stats.flatMap { queue in metric.samples(queue).map { (queue.queue, $0) } }
            guard !samples.isEmpty else { continue }
            lines.append("# HELP \(metric.name) \(metric.help)")
            lines.append("# TYPE \(metric.name) \(metric.type)")
            for (queue, sample) in samples {
                let labels = ([("queue", queue)] + sample.labels).map { "\($0)=\"\(PrometheusMetric.escape($1))\"" }
                lines.append("\(metric.name){\(labels.joined(separator: ","))} \(sample.value)")
            }
        }
        if let redis { lines += PrometheusMetric.server(redis.address, redis.memory) }
        return lines.map { $0 + "\n" }.joined()
    }
}

/// One metric of the exposition and how to read its samples from a queue's statistics.
private struct PrometheusMetric: Sendable {
    /// A value with its extra labels.
    struct Sample: Sendable {
        var labels: [(String, String)] = []
        var value: String
    }

    let name: String
    let help: String
    let type: String
    let samples: @Sendable (QueueStats) -> [Sample]

    static func gauge(_ name: String, _ help: String, _ value: @escaping @Sendable (QueueStats) -> Int?) -> PrometheusMetric {
        PrometheusMetric(name: name, help: help, type: "gauge") { stats in value(stats).map { [Sample(value: String($0))] } ?? [] }
    }

    static func counter(_ name: String, _ help: String, _ field: StatsCounters.Field) -> PrometheusMetric {
        PrometheusMetric(name: name, help: help, type: "counter") { [Sample(value: String($0.counters.total[field]))] }
    }

    /// A 0/1 gauge per value of a label, 1 for the values that hold.
    static func states(_ name: String, _ help: String, label: String, values: [String], holds: @escaping @Sendable (QueueStats, String) -> Bool) -> PrometheusMetric {
        PrometheusMetric(name: name, help: help, type: "gauge") { stats in
            values.map { Sample(labels: [(label, $0)], value: holds(stats, $0) ? "1" : "0") }
        }
    }

    static let all: [PrometheusMetric] = [
        gauge("jobq_waiting_jobs", "Jobs waiting, all priorities.") { $0.jobs.waiting },
        gauge("jobq_delayed_jobs", "Delayed and retrying jobs.") { $0.jobs.delayed },
        gauge("jobq_delayed_due_jobs", "Delayed jobs already due.") { $0.jobs.delayedDue },
        gauge("jobq_active_jobs", "Running (leased) jobs.") { $0.jobs.active },
        gauge("jobq_expired_lease_jobs", "Running jobs whose lease ended and that nobody recovered.") { $0.jobs.expiredLeases },
        gauge("jobq_dead_jobs", "Dead letters.") { $0.jobs.dead },
        gauge("jobq_parked_jobs", "Jobs parked behind a held concurrency key.") { $0.jobs.parked },
        PrometheusMetric(name: "jobq_oldest_waiting_age_seconds", help: "How long the next job to run has waited.", type: "gauge") { stats in
            stats.oldestWaiting?.ageMilliseconds.map { [Sample(value: String(Double($0) / 1000))] } ?? []
        },
        gauge("jobq_paused", "1 when the queue is paused.") { $0.paused ? 1 : 0 },
        gauge("jobq_stop_requested", "1 when a stop request holds the queue's supervisor.") { $0.stopRequest == nil ? 0 : 1 },
        PrometheusMetric(name: "jobq_rate_limit_tokens", help: "Tokens in the queue's rate-limit bucket.", type: "gauge") { stats in
            stats.rateLimit.map { [Sample(value: String($0.tokens))] } ?? []
        },
        gauge("jobq_concurrency_limit", "The most jobs of the queue that may run at once.") { $0.concurrency.limit },
        gauge("jobq_live_workers", "Workers with a live heartbeat.") { $0.workers.count },
        gauge("jobq_breaker_tripped", "1 when the supervisor's crash-loop breaker is tripped.") { $0.supervisor.breakerTripped ? 1 : 0 },
        states("jobq_supervisor_state", "1 for the state the queue's supervisor is in.", label: "state",
               values: SupervisorState.allCases.map(\.rawValue)) { $0.supervisor.state.rawValue == $1 },
        states("jobq_verdict", "1 for each verdict that applies to the queue (ok when none does).", label: "verdict",
               values: QueueVerdict.Kind.allCases.map(\.rawValue)) { stats, value in
            stats.verdicts.isEmpty ? value == QueueVerdict.Kind.ok.rawValue : stats.verdicts.contains { $0.kind.rawValue == value }
        },
        counter("jobq_enqueued_total", "Jobs enqueued through jobq.", .enqueued),
        counter("jobq_processed_total", "Jobs completed.", .processed),
        counter("jobq_failed_total", "Failed runs.", .failed),
        counter("jobq_retried_total", "Retries scheduled.", .retried),
        counter("jobq_dead_lettered_total", "Jobs dead-lettered.", .dead),
        counter("jobq_malformed_total", "Messages dead-lettered as not valid jobs.", .malformed),
        counter("jobq_crashed_jobs_total", "Jobs in hand when their worker died or their lease expired.", .crashed),
        counter("jobq_poison_total", "Jobs quarantined as poison.", .poison),
        counter("jobq_cancelled_total", "Jobs cancelled.", .cancelled),
        counter("jobq_orphaned_total", "Waiting references to a job that was no longer waiting, dropped.", .orphaned),
        counter("jobq_lost_total", "Jobs whose hash vanished from Redis (evicted), dropped and counted lost.", .lost),
        counter("jobq_worker_launches_total", "Workers launched by the supervisor.", .launches),
        counter("jobq_worker_crashes_total", "Worker exits counted as crashes.", .crashes),
        counter("jobq_worker_oom_kills_total", "Worker exits with an OOM kill.", .oomKills),
        perSchedule("jobq_schedule_next_run_timestamp_seconds", "When the schedule fires next (absent while paused).", "gauge") {
            $0.nextAt.map(seconds)
        },
        perSchedule("jobq_schedule_last_enqueued_timestamp_seconds", "When the schedule last enqueued a job.", "gauge") {
            $0.lastEnqueuedAt.map(seconds)
        },
        perSchedule("jobq_schedule_paused", "1 when the schedule is paused.", "gauge") { $0.paused ? "1" : "0" },
        perSchedule("jobq_schedule_enqueued_total", "Jobs the schedule enqueued.", "counter") { String($0.enqueued) },
        perSchedule("jobq_schedule_skipped_total", "Ticks skipped because the schedule's previous job still waited or ran.", "counter") {
            String($0.skipped)
        },
        perSchedule("jobq_schedule_missed_total", "Ticks dropped by the schedule's catch-up policy after downtime.", "counter") {
            String($0.missed)
        },
        gauge("jobq_schedules_unreadable", "Schedules of the queue this version cannot read: they do not fire.") { $0.unreadableSchedules.count },
    ]

    /// A sample per schedule of the queue, labelled `schedule="…"`; none when `value` is `nil`.
    static func perSchedule(_ name: String, _ help: String, _ type: String, _ value: @escaping @Sendable (Schedule) -> String?) -> PrometheusMetric {
        PrometheusMetric(name: name, help: help, type: type) { stats in
            stats.schedules.compactMap { schedule in value(schedule).map { Sample(labels: [("schedule", schedule.name)], value: $0) } }
        }
    }

    /// Milliseconds since the epoch as seconds.
    static func seconds(_ milliseconds: Int64) -> String { String(Double(milliseconds) / 1000) }

    /// The server's figures, each known one with its HELP and TYPE, labelled with its address.
    static func server(_ address: String, _ memory: RedisMemory) -> [String] {
        let label = "redis=\"\(escape(address))\""
        var figures: [(String, String, String, String)] = []
        if let used = memory.usedBytes { figures.append(("jobq_redis_used_memory_bytes", "Memory Redis uses (used_memory).", "gauge", String(used))) }
        if let limit = memory.maxBytes { figures.append(("jobq_redis_maxmemory_bytes", "Redis's maxmemory; 0 for no limit.", "gauge", String(limit))) }
        if let evicted = memory.evictedKeys { figures.append(("jobq_redis_evicted_keys_total", "Keys Redis evicted since it started.", "counter", String(evicted))) }
        if memory.policy != nil {
            figures.append(("jobq_redis_evicts", "1 when Redis's maxmemory-policy lets it delete keys (anything but noeviction).", "gauge", memory.evicts ? "1" : "0"))
        }
        return figures.flatMap { name, help, type, value in
            ["# HELP \(name) \(help)", "# TYPE \(name) \(type)", "\(name){\(label)} \(value)"]
        }
    }

    /// A label value with backslash, double quote and newline escaped.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
