import JobQueue
import RedisClient

/// `jobq diagnose`: the host, the Redis server and every known queue in one ranked report.
///
/// Redis is asked first, so that its data directory's disk is checked with the host's; when Redis
/// cannot be reached (or refuses the credentials) the host is still diagnosed and the report says
/// so (critical). A Redis that answers but whose ACL refuses `INFO` or `CONFIG GET` is a warning
/// (`redis.settingsUnreadable`), and its queues are still checked. Synchronous and blocking: call
/// it from a dedicated thread, never from async code.
public struct OperationsDiagnosis: Sendable {
    /// What to look at and the thresholds; every field has a default.
    public struct Configuration: Sendable {
        /// How the host is read (root, search path for `systemctl` and `df`, disk paths). The
        /// Redis data directory is added to the disk paths when Redis runs on this host. Default:
        /// the live host.
        public var probe = HostProbe.Configuration()
        /// The host rules' thresholds and worker patterns. Default: ``HostDiagnosis/Configuration/init``.
        public var host = HostDiagnosis.Configuration()
        /// The Redis rules' thresholds. Default: ``RedisDiagnosis/Configuration/init()``.
        public var redis = RedisDiagnosis.Configuration()
        /// The queue verdicts' thresholds. Default: ``JobQueue/StatsConfiguration/init()``.
        public var stats = StatsConfiguration()

        /// The defaults.
        public init() {}
    }

    /// Where Redis is.
    public let redis: RedisConfiguration
    /// What to look at.
    public let configuration: Configuration

    /// Creates a diagnosis of the host, the Redis server at `redis` and its queues.
    public init(redis: RedisConfiguration, configuration: Configuration = Configuration()) {
        self.redis = redis
        self.configuration = configuration
    }

    /// Runs every check and returns the ranked report.
    public func run() -> DiagnosisReport {
        var findings: [Finding] = []
        var notes: [String] = []
        var probe = configuration.probe
        var connection: RedisConnection?
        do {
            let opened = try RedisConnection(configuration: redis)
            let facts = try RedisFacts.read(opened)
            connection = opened
            findings += RedisDiagnosis(configuration: configuration.redis).findings(for: facts)
            notes += facts.notes
            if facts.isLocal, let directory = facts.dataDirectory, !directory.isEmpty, !probe.diskPaths.contains(directory) {
                probe.diskPaths.append(directory)
            }
        } catch {
            findings.append(RedisDiagnosis(configuration: configuration.redis).unreachableFinding(redis: redis, error: error))
        }
        var report = HostDiagnosis(configuration: configuration.host).report(for: HostProbe(configuration: probe).snapshot())
        if let connection {
            do {
                let results = try QueueStats.readEach(Queue.knownNames(on: connection), on: connection, configuration: configuration.stats)
                let stats = results.compactMap { try? $0.get() }
                for case .failure(let error) in results { notes.append("A queue could not be read: \(error)") }
                findings += QueueDiagnosis.findings(for: stats)
                if stats.isEmpty { notes.append("No queue is known to Redis yet, so no queue was checked") }
            } catch {
                notes.append("The queues could not be read: \(error)")
            }
        } else {
            notes.append("Redis could not be reached, so no queue was checked")
        }
        report.append(findings, notes: notes)
        return report
    }
}
