import JobQueue

extension EmergencyStop {
    /// Everything an emergency stop will do, resolved before anything is changed (what `--dry-run`
    /// prints).
    public struct Plan: Sendable, Equatable {
        /// The queues to pause and stop.
        public var queues: [QueueName]
        /// The systemd units to stop.
        public var units: [String]
        /// The surplus duplicate worker processes to end, as they were listed.
        public var duplicates: [ProcessSample]
        /// Every action in order, one line each, for people.
        public var actions: [String]
    }

    /// What an emergency stop did.
    public struct Outcome: Sendable, Equatable {
        /// A job still running after the wait, with its queue.
        public struct JobInHand: Sendable, Equatable {
            /// The queue's name.
            public var queue: String
            /// The job and who holds it.
            public var job: Queue.ActiveJob
        }

        /// What was done, one line each, in order.
        public var done: [String]
        /// What could not be done, one line each: a unit that did not stop, a process that survived.
        public var problems: [String]
        /// The systemd units that were stopped.
        public var stoppedUnits: [String]
        /// Jobs still running when the wait ended (held by a worker no supervisor stopped). They are
        /// not lost: they are acked when done, or come back when their lease expires.
        public var stillRunning: [JobInHand]

        /// Whether everything was stopped and no job is in hand.
        public var isComplete: Bool { problems.isEmpty && stillRunning.isEmpty }
    }
}
