import HumanUnits
import JobQueue
import RedisClient

/// Turns what Redis reported about itself into findings: the eviction policy, memory use against
/// its limit, and persistence, or that it would not say (a restricted ACL).
public struct RedisDiagnosis: Sendable {
    /// Thresholds; every field has a default.
    public struct Configuration: Sendable {
        /// Fraction of `maxmemory` in use that is a warning. Default 0.75.
        public var memoryWarningFraction = 0.75
        /// Fraction of `maxmemory` in use that is critical (a full Redis refuses enqueues). Default
        /// ``JobQueue/RedisMemory/fullFraction`` (0.9), where `jobq stats` says `FULL`.
        public var memoryCriticalFraction = RedisMemory.fullFraction

        /// The defaults.
        public init() {}
    }

    /// The thresholds in force.
    public let configuration: Configuration

    /// Creates a diagnosis with the given thresholds.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// The findings for a server that answered.
    public func findings(for facts: RedisFacts) -> [Finding] {
        [serverFinding(facts), settingsFinding(facts), evictionFinding(facts), memoryFinding(facts), persistenceFinding(facts)]
            .compactMap { $0 }
    }

    /// The critical finding for a server that could not be reached or refused the credentials.
    public func unreachableFinding(redis: RedisConfiguration, error: any Error) -> Finding {
        Finding(
            severity: .critical, code: .redisUnreachable,
            title: "Redis at \(redis) cannot be used: no job can be enqueued or run",
            evidence: ["\(error)"],
            fix: ["systemctl status redis-server"] + RedisCLICommand(redis).lines(["PING"])
        )
    }

    private func serverFinding(_ facts: RedisFacts) -> Finding {
        let limit = facts.maxMemory.map { $0 == 0 ? "no maxmemory limit" : "maxmemory \(ByteSizeText.readable($0))" } ?? "maxmemory unknown"
        return Finding(
            severity: .info, code: .redisServer,
            title: "Redis \(facts.version ?? "of unknown version") at \(facts.endpoint)",
            evidence: [
                "\(facts.usedMemory.map(ByteSizeText.readable) ?? "unknown") used, \(limit)",
                "maxmemory-policy \(facts.maxmemoryPolicy ?? "unknown"), appendonly \(facts.appendOnly.map { $0 ? "yes" : "no" } ?? "unknown"),"
                    + " save \(facts.snapshotSchedule.map { "\"\($0)\"" } ?? "unknown")",
            ] + (facts.dataDirectory.map { ["data directory \($0)" + (facts.isLocal ? "" : " (on the Redis host, not checked here)")] } ?? [])
        )
    }

    /// A warning when Redis answered but refused `INFO` or `CONFIG GET` (a restricted ACL): jobs
    /// still flow, but what those would have told is unknown, and said so rather than passed as OK.
    private func settingsFinding(_ facts: RedisFacts) -> Finding? {
        guard !facts.refusals.isEmpty else { return nil }
        let commands = facts.refusals.map(\.command)
        let infoRefused = commands.contains("INFO")
        let denied = facts.refusals.filter(\.isDeniedByACL)
        var unknown: [String] = []
        // The policy may still be known: `CONFIG GET maxmemory-policy` answers it when INFO is refused.
        let policyUnknown = facts.maxmemoryPolicy == nil
        if infoRefused {
            unknown += (policyUnknown ? ["the eviction policy (can Redis drop jobs?)"] : []) + ["memory use against maxmemory", "the append-only file"]
        }
        if commands.contains("CONFIG GET") { unknown += ["RDB snapshots"] + (facts.isLocal ? ["the data directory's disk"] : []) }
        var evidence = facts.refusals.map { "\($0.command): \($0.reply)" }
        evidence.append("not checked, so unknown (not OK): \(unknown.joined(separator: ", "))")
        var fix: [String] = []
        if !denied.isEmpty {
            let rules = denied.map { $0.command == "INFO" ? "+info" : "+config|get" }
            evidence += [
                "\(rules.joined(separator: " ")) only read\(rules.count == 1 ? "s" : ""); CONFIG SET and the other admin commands stay denied",
                "run the fix as an admin user (add --user and REDISCLI_AUTH);"
                    + " ACL SAVE keeps it after a restart when Redis reads its users"
                    + " from an aclfile, CONFIG REWRITE when they are in redis.conf",
            ]
            let words = rules.map { $0.contains("|") ? "'\($0)'" : $0 }
            fix += facts.adminRedisCLI.lines([
                "ACL SETUSER \(RedisCLICommand.shellWord(facts.user)) \(words.joined(separator: " "))", "ACL SAVE",
            ])
        }
        if denied.count < facts.refusals.count {
            evidence.append("check by hand that redis.conf says maxmemory-policy noeviction and appendonly yes")
            fix.append("grep -E '^(maxmemory-policy|appendonly|save|rename-command)' /etc/redis/redis.conf")
        }
        let cause = denied.count == facts.refusals.count ? "the ACL denies" : "Redis refused"
        return Finding(
            severity: .warning, code: .redisSettingsUnreadable,
            title: "Cannot read Redis's server settings: \(cause) \(commands.joined(separator: " and ")); "
                + (infoRefused ? (policyUnknown ? "eviction policy unknown" : "memory and persistence unknown") : "snapshots and data directory unknown"),
            evidence: evidence, fix: fix
        )
    }

    private func evictionFinding(_ facts: RedisFacts) -> Finding? {
        guard let policy = facts.maxmemoryPolicy, policy != "noeviction" else { return nil }
        return Finding(
            severity: .critical, code: .redisEviction,
            title: "Redis can drop jobs: maxmemory-policy is \(policy), not noeviction",
            evidence: [
                "under \(policy) a full Redis deletes keys to make room, and a deleted job is lost without a trace",
                "with noeviction a full Redis refuses the enqueue instead, and the producer sees the error",
                "to keep it after a restart, redis.conf needs this line (CONFIG REWRITE writes it):",
                "  maxmemory-policy noeviction",
            ],
            fix: facts.redisCLI.lines(["CONFIG SET maxmemory-policy noeviction", "CONFIG REWRITE"])
        )
    }

    private func memoryFinding(_ facts: RedisFacts) -> Finding? {
        guard let used = facts.usedMemory, let limit = facts.maxMemory, limit > 0 else { return nil }
        let fraction = Double(used) / Double(limit)
        let severity: Finding.Severity
        if fraction >= configuration.memoryCriticalFraction {
            severity = .critical
        } else if fraction >= configuration.memoryWarningFraction {
            severity = .warning
        } else {
            return nil
        }
        return Finding(
            severity: severity, code: .redisMemory,
            title: "Redis uses \(Int((fraction * 100).rounded())) % of its memory limit",
            evidence: [
                "\(ByteSizeText.readable(used)) used of maxmemory \(ByteSizeText.readable(limit))",
                facts.maxmemoryPolicy == "noeviction"
                    ? "when it is full, enqueues are refused" : "when it is full, keys are evicted and jobs lost",
            ],
            fix: facts.redisCLI.lines(["INFO memory"]) + ["jobq stats"]
        )
    }

    private func persistenceFinding(_ facts: RedisFacts) -> Finding? {
        guard facts.appendOnly == false, let schedule = facts.snapshotSchedule else { return nil }
        if schedule.trimmingWhitespace.isEmpty {
            return Finding(
                severity: .warning, code: .redisPersistence,
                title: "Redis keeps jobs only in memory: a restart loses every job",
                evidence: [
                    "appendonly no and no RDB snapshots (save \"\")",
                    "to keep it after a restart, redis.conf needs this line (CONFIG REWRITE writes it):",
                    "  appendonly yes",
                ],
                fix: facts.redisCLI.lines(["CONFIG SET appendonly yes", "CONFIG REWRITE"])
            )
        }
        return Finding(
            severity: .info, code: .redisPersistence,
            title: "Redis saves jobs only in RDB snapshots: a crash loses the jobs since the last snapshot",
            evidence: ["appendonly no, save \"\(schedule)\""],
            fix: facts.redisCLI.lines(["CONFIG SET appendonly yes", "CONFIG REWRITE"])
        )
    }
}
