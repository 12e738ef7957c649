/// What the active supervisor writes into the queue's supervisor hash when its state changes.
public struct SupervisorReport: Sendable, Equatable {
    /// The new state.
    public var state: SupervisorState
    /// One line saying why.
    public var detail: String
    /// The supervisor's host.
    public var host: String
    /// The supervisor's process id.
    public var pid: Int32
    /// The running worker's process id; `nil` clears it.
    public var workerPID: Int32?
    /// The running worker's consumer id; `nil` clears it.
    public var workerID: String?
    /// How long until the next launch may happen, stored as `backoff_until`; `nil` clears it.
    public var backoffRemaining: Duration?
    /// Count a worker launch in the `launches` counters.
    public var countsLaunch: Bool

    /// Creates a report; every optional part defaults to absent.
    public init(
        state: SupervisorState, detail: String, host: String, pid: Int32,
        workerPID: Int32? = nil, workerID: String? = nil, backoffRemaining: Duration? = nil, countsLaunch: Bool = false
    ) {
        self.state = state
        self.detail = detail
        self.host = host
        self.pid = pid
        self.workerPID = workerPID
        self.workerID = workerID
        self.backoffRemaining = backoffRemaining
        self.countsLaunch = countsLaunch
    }

    /// `host/pid`, how the supervisor names itself as a lock holder.
    public var holder: String { "\(host)/\(pid)" }
}
