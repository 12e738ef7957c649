import RedisClient
/// The jobs a queue's workers hold now, with who holds them.
extension Queue {
    /// A running job and its owner, as reported when work is still in hand.
    public struct ActiveJob: Sendable, Codable, Equatable {
        /// The job's id.
        public var id: String
        /// Its type.
        public var type: String
        /// The consumer holding its lease.
        public var owner: String
        /// The owner's host, from its registry entry, when it has a live one.
        public var host: String?
        /// The owner's process id, from its registry entry, when it has a live one.
        public var pid: Int32?
        /// When the run started (ms since the epoch, Redis clock).
        public var startedAt: Int64?
        /// When its lease ends unless extended (ms since the epoch, Redis clock).
        public var leaseUntil: Int64

        /// `job 42 (ingest.file) held by web1-17-3 (web1 pid 4242)`.
        public var summary: String {
            let process = [host, pid.map { "pid \($0)" }].compactMap { $0 }.joined(separator: " ")
            return "job \(id) (\(type)) held by \(owner.isEmpty ? "an unknown consumer" : owner)"
                + (process.isEmpty ? "" : " (\(process))")
        }
    }

    /// The running jobs, earliest lease deadline first.
    /// - Parameter limit: how many to return.
    public func activeJobs(limit: Int = 50) throws -> [ActiveJob] {
        guard limit > 0 else { return [] }
        let reply = try redis { try connection.run(QueueScripts.activeJobs, keys: keys.scriptKeys, arguments: [RedisArgument(limit)]) }
        guard let parts = reply.array, parts.first?.integer != nil else { throw JobQueueError.protocolMismatch("active-jobs", reply) }
        return parts.dropFirst().compactMap { entry in
            guard let fields = entry.array?.map({ $0.string ?? "" }), fields.count == 7 else { return nil }
            return ActiveJob(
                id: fields[0], type: fields[4].isEmpty ? "default" : fields[4], owner: fields[2],
                host: fields[5].isEmpty ? nil : fields[5], pid: Int32(fields[6]), startedAt: Int64(fields[3]),
                leaseUntil: Int64(fields[1]) ?? 0)
        }
    }
}
