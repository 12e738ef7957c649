import RedisClient
/// An error from the queue layer, with a code to switch on and a message a person can act on.
public struct JobQueueError: Error, Sendable, CustomStringConvertible {
    /// What went wrong. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// The queue name is empty, too long, or has characters outside `A-Z a-z 0-9 . _ -`.
        public static let invalidQueueName = Code(name: "invalidQueueName")
        /// The job is not acceptable: payload not JSON, too large, bad option value.
        public static let invalidJob = Code(name: "invalidJob")
        /// A job with this id already exists in the queue.
        public static let jobExists = Code(name: "jobExists")
        /// No job with this id exists (completed jobs are kept only where the queue keeps a history).
        public static let jobNotFound = Code(name: "jobNotFound")
        /// The operation does not apply to the job in its current state (cancelling a running job).
        public static let invalidState = Code(name: "invalidState")
        /// A queue setting is out of range (a retention age or count).
        public static let invalidSetting = Code(name: "invalidSetting")
        /// Redis failed or answered with an error; `redisError` holds the details.
        public static let redis = Code(name: "redis")
        /// A script answered in a shape this version does not understand.
        public static let protocolMismatch = Code(name: "protocolMismatch")
        /// A durable enqueue (``EnqueueOptions/durable``) was written on the master, but no replica
        /// confirmed it in time: a failover now could lose it.
        public static let notReplicated = Code(name: "notReplicated")
        /// A schedule is not acceptable: a bad cron expression, time zone, interval, name or policy.
        public static let invalidSchedule = Code(name: "invalidSchedule")
        /// No schedule with this name exists in the queue.
        public static let scheduleNotFound = Code(name: "scheduleNotFound")
        /// A schedule with this name already exists in the queue.
        public static let scheduleExists = Code(name: "scheduleExists")
        /// A stored schedule this version cannot read (a rule written by a newer version, or a hash
        /// without its job's payload or attempts): it does not fire; remove it, or read it with the
        /// version that wrote it.
        public static let unreadableSchedule = Code(name: "unreadableSchedule")
    }

    /// The kind of failure.
    public var code: Code
    /// A message a person can act on.
    public var message: String
    /// The underlying Redis error, for `.redis`.
    public var redisError: RedisError?

    /// Creates an error.
    public init(code: Code, message: String, redisError: RedisError? = nil) {
        self.code = code
        self.message = message
        self.redisError = redisError
    }

    public var description: String { message }

    static func protocolMismatch(_ script: String, _ reply: RedisReply) -> JobQueueError {
        JobQueueError(code: .protocolMismatch, message: "the \(script) script answered \(reply.debugSummary), which this version of jobq does not understand")
    }
}
