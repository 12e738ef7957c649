import RedisClient

/// The Lua scripts that make every state change of a queue atomic: the `.lua` files in `Lua/`,
/// embedded in the binary at build time. Each file's header gives its keys, arguments, reply and
/// guarantee; `library.lua` holds the functions they share. Together they form one Redis function
/// library where the server has functions (see ``RedisScriptLibrary``).
enum QueueScripts {
    /// Every script, with the shared code and the key names of ``QueueKeys``.
    static let library = RedisScriptLibrary(
        name: "jobq",
        shared: QueueKeys.luaSuffixTable + lua(PackageResources.library_lua) + lua(PackageResources.batch_library_lua)
            + lua(PackageResources.schedules_library_lua),
        prologue: "bind_keys(KEYS[1])",
        scripts: [
            ("enqueue", lua(PackageResources.enqueue_lua)),
            ("reserve", lua(PackageResources.reserve_lua)),
            ("complete", lua(PackageResources.complete_lua)),
            ("fail", lua(PackageResources.fail_lua)),
            ("release", lua(PackageResources.release_lua)),
            ("extend", lua(PackageResources.extend_lua)),
            ("settle-batch", lua(PackageResources.settle_batch_lua)),
            ("extend-many", lua(PackageResources.extend_many_lua)),
            ("cancel", lua(PackageResources.cancel_lua)),
            ("job", lua(PackageResources.job_lua)),
            ("retry-dead", lua(PackageResources.retry_dead_lua)),
            ("reap", lua(PackageResources.reap_lua)),
            ("recover-consumer", lua(PackageResources.recover_consumer_lua)),
            ("heartbeat", lua(PackageResources.heartbeat_lua)),
            ("lock-acquire", lua(PackageResources.lock_acquire_lua)),
            ("lock-renew", lua(PackageResources.lock_renew_lua)),
            ("lock-release", lua(PackageResources.lock_release_lua)),
            ("lock-list", lua(PackageResources.lock_list_lua)),
            ("set-limit", lua(PackageResources.set_limit_lua)),
            ("limit-status", lua(PackageResources.limit_status_lua)),
            ("stats", lua(PackageResources.stats_lua)),
            ("record-event", lua(PackageResources.record_event_lua)),
            ("alert-gate", lua(PackageResources.alert_gate_lua)),
            ("active-jobs", lua(PackageResources.active_jobs_lua)),
            ("history", lua(PackageResources.history_lua)),
            ("set-retention", lua(PackageResources.set_retention_lua)),
            ("supervision-tick", lua(PackageResources.supervision_tick_lua)),
            ("supervision-report", lua(PackageResources.supervision_report_lua)),
            ("supervision-standby", lua(PackageResources.supervision_standby_lua)),
            ("supervision-worker-exit", lua(PackageResources.supervision_worker_exit_lua)),
            ("supervision-trip-breaker", lua(PackageResources.supervision_trip_breaker_lua)),
            ("supervision-reset-breaker", lua(PackageResources.supervision_reset_breaker_lua)),
            ("supervision-request-stop", lua(PackageResources.supervision_request_stop_lua)),
            ("schedule-add", lua(PackageResources.schedule_add_lua)),
            ("schedule-remove", lua(PackageResources.schedule_remove_lua)),
            ("schedule-set-paused", lua(PackageResources.schedule_set_paused_lua)),
            ("schedule-list", lua(PackageResources.schedule_list_lua)),
            ("schedule-due", lua(PackageResources.schedule_due_lua)),
            ("schedule-fire", lua(PackageResources.schedule_fire_lua)),
            ("schedule-release", lua(PackageResources.schedule_release_lua)),
        ],
        // What jobq stats and the listings read must work on a Redis at maxmemory.
        readOnly: ["stats", "active-jobs", "limit-status", "schedule-list", "history", "job"])

    /// Adds jobs. See `Lua/enqueue.lua`.
    static let enqueue = library.script("enqueue")
    /// Takes the next runnable job and leases it. See `Lua/reserve.lua`.
    static let reserve = library.script("reserve")
    /// Acks a job and, if asked, reserves the next. See `Lua/complete.lua`.
    static let complete = library.script("complete")
    /// Records a failed run: retry later or dead-letter. See `Lua/fail.lua`.
    static let fail = library.script("fail")
    /// Puts a running job back without counting a failure. See `Lua/release.lua`.
    static let release = library.script("release")
    /// Extends a lease and the locks of the run. See `Lua/extend.lua`.
    static let extend = library.script("extend")
    /// Acks a prefetching worker's finished jobs, gives back its unstarted ones and reserves up to
    /// N more. See `Lua/settle-batch.lua`.
    static let settleBatch = library.script("settle-batch")
    /// Extends the leases of every job a prefetching worker holds. See `Lua/extend-many.lua`.
    static let extendMany = library.script("extend-many")
    /// Cancels a waiting or delayed job. See `Lua/cancel.lua`.
    static let cancel = library.script("cancel")
    /// Reads one job, waiting in compact form or not. See `Lua/job.lua`.
    static let job = library.script("job")
    /// Sends dead letters back to the waiting list. See `Lua/retry-dead.lua`.
    static let retryDead = library.script("retry-dead")
    /// Recovers expired leases and dead consumers. See `Lua/reap.lua`.
    static let reap = library.script("reap")
    /// Recovers what one consumer held. See `Lua/recover-consumer.lua`.
    static let recoverConsumer = library.script("recover-consumer")
    /// Registers a consumer as alive. See `Lua/heartbeat.lua`.
    static let heartbeat = library.script("heartbeat")
    /// Takes a named lock. See `Lua/lock-acquire.lua`.
    static let lockAcquire = library.script("lock-acquire")
    /// Renews a lock for its owner. See `Lua/lock-renew.lua`.
    static let lockRenew = library.script("lock-renew")
    /// Releases a lock for its owner. See `Lua/lock-release.lua`.
    static let lockRelease = library.script("lock-release")
    /// Lists held locks. See `Lua/lock-list.lua`.
    static let lockList = library.script("lock-list")
    /// Sets or clears a rate or concurrency limit. See `Lua/set-limit.lua`.
    static let setLimit = library.script("set-limit")
    /// Reads a token bucket. See `Lua/limit-status.lua`.
    static let limitStatus = library.script("limit-status")
    /// Everything `jobq stats` shows about a queue. See `Lua/stats.lua`.
    static let stats = library.script("stats")
    /// Records an operator action. See `Lua/record-event.lua`.
    static let recordEvent = library.script("record-event")
    /// Decides whether an alert is delivered or suppressed. See `Lua/alert-gate.lua`.
    static let alertGate = library.script("alert-gate")
    /// Lists running jobs. See `Lua/active-jobs.lua`.
    static let activeJobs = library.script("active-jobs")
    /// Lists finished jobs, newest first. See `Lua/history.lua`.
    static let history = library.script("history")
    /// Sets and applies how many finished jobs are kept. See `Lua/set-retention.lua`.
    static let setRetention = library.script("set-retention")
    /// What a supervisor reads each tick. See `Lua/supervision-tick.lua`.
    static let supervisionTick = library.script("supervision-tick")
    /// Records a supervisor's state. See `Lua/supervision-report.lua`.
    static let supervisionReport = library.script("supervision-report")
    /// Records a supervisor in standby. See `Lua/supervision-standby.lua`.
    static let supervisionStandby = library.script("supervision-standby")
    /// Records a worker exit. See `Lua/supervision-worker-exit.lua`.
    static let supervisionWorkerExit = library.script("supervision-worker-exit")
    /// Trips the crash-loop breaker. See `Lua/supervision-trip-breaker.lua`.
    static let supervisionTripBreaker = library.script("supervision-trip-breaker")
    /// Resets the crash-loop breaker. See `Lua/supervision-reset-breaker.lua`.
    static let supervisionResetBreaker = library.script("supervision-reset-breaker")
    /// Asks supervisors and workers to stop. See `Lua/supervision-request-stop.lua`.
    static let supervisionRequestStop = library.script("supervision-request-stop")

    /// Adds a schedule. See `Lua/schedule-add.lua`.
    static let scheduleAdd = library.script("schedule-add")
    /// Removes a schedule. See `Lua/schedule-remove.lua`.
    static let scheduleRemove = library.script("schedule-remove")
    /// Pauses or resumes a schedule. See `Lua/schedule-set-paused.lua`.
    static let scheduleSetPaused = library.script("schedule-set-paused")
    /// Reads schedules and their last results. See `Lua/schedule-list.lua`.
    static let scheduleList = library.script("schedule-list")
    /// Takes the scheduler lease and lists due schedules. See `Lua/schedule-due.lua`.
    static let scheduleDue = library.script("schedule-due")
    /// Enqueues a due schedule's ticks and moves its next fire time. See `Lua/schedule-fire.lua`.
    static let scheduleFire = library.script("schedule-fire")

    /// Gives up the scheduler lease. See `Lua/schedule-release.lua`.
    static let scheduleRelease = library.script("schedule-release")

    private static func lua(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}
