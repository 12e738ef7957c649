import RedisClient

extension JobQueueError {
    /// The Redis error behind `error`: itself when it is a ``RedisError``, the ``redisError`` of a
    /// ``JobQueueError``; `nil` for any other error.
    public static func redisError(behind error: any Error) -> RedisError? {
        switch error {
        case let error as RedisError: error
        case let error as JobQueueError: error.redisError
        default: nil
        }
    }

    /// The refusal behind `error` when it is Redis refusing to run on a server that may evict keys
    /// (``RedisError/Code/evictionPolicy``); `nil` for any other error. A process ended by it exits
    /// with ``RedisConfiguration/EvictionCheck/refusalExitStatus`` (78), which a supervisor does not
    /// relaunch.
    public static func evictionRefusal(behind error: any Error) -> RedisError? {
        redisError(behind: error).flatMap { $0.code == .evictionPolicy ? $0 : nil }
    }

    /// The exit status of a process that `error` ends:
    /// ``RedisConfiguration/EvictionCheck/refusalExitStatus`` (78) when it is an eviction refusal
    /// (``evictionRefusal(behind:)``), `nil` for any other error.
    public static func evictionRefusalExitStatus(for error: any Error) -> Int32? {
        evictionRefusal(behind: error) == nil ? nil : RedisConfiguration.EvictionCheck.refusalExitStatus
    }
}
