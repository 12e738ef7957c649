extension QueueScripts {
    /// What an active supervisor needs to know each tick, in one call: is there work, is the queue
    /// paused, is a stop requested, is the breaker tripped. Also marks the supervisor as alive.
    ///
    /// KEYS[1]: queue key prefix. No ARGV. Sets `updated_at` in the supervisor hash. Returns
    /// `{now, waiting entries, due delayed jobs (0 or 1), paused, stop, stop_by, stop_at, stop_reason,
    /// breaker}` with '' for absent fields.
    static let supervisionTick = LuaLibrary.script("supervision-tick", """
    local now = now_ms()
    redis.call('HSET', K.supervisor, 'updated_at', now)
    local cfg = redis.call('HMGET', K.config, 'paused', 'stop', 'stop_by', 'stop_at', 'stop_reason')
    local due = #redis.call('ZRANGEBYSCORE', K.delayed, '-inf', now, 'LIMIT', 0, 1)
    local breaker = redis.call('HGET', K.supervisor, 'breaker')
    return {now, redis.call('LLEN', K.wait), due, cfg[1] or '', cfg[2] or '', cfg[3] or '', cfg[4] or '',
      cfg[5] or '', breaker or ''}
    """)

    /// Records the active supervisor's state.
    ///
    /// KEYS[1]: queue key prefix. ARGV: state, detail, host, pid, worker pid ('' for none), worker
    /// id, backoff ms from now ('' for none), '1' to count a launch, holder (`host/pid`). Sets
    /// `since` when the state changes, clears the worker and backoff fields when not given, and
    /// drops the `standby` mark when it names this supervisor. Returns Redis TIME in ms.
    static let supervisionReport = LuaLibrary.script("supervision-report", """
    local now = now_ms()
    local h = K.supervisor
    if redis.call('HGET', h, 'state') ~= ARGV[1] then redis.call('HSET', h, 'since', now) end
    redis.call('HSET', h, 'state', ARGV[1], 'detail', ARGV[2], 'host', ARGV[3], 'pid', ARGV[4], 'updated_at', now)
    if ARGV[5] ~= '' then
      redis.call('HSET', h, 'worker_pid', ARGV[5], 'worker_id', ARGV[6])
    else
      redis.call('HDEL', h, 'worker_pid', 'worker_id')
    end
    if ARGV[7] ~= '' then
      redis.call('HSET', h, 'backoff_until', now + tonumber(ARGV[7]))
    else
      redis.call('HDEL', h, 'backoff_until')
    end
    if ARGV[8] == '1' then count(now, 'launches', 1) end
    if redis.call('HGET', h, 'standby') == ARGV[9] then redis.call('HDEL', h, 'standby', 'standby_at') end
    return now
    """)

    /// Marks a supervisor waiting for the supervisor lock, without touching the active one's state.
    ///
    /// KEYS[1]: queue key prefix. ARGV: holder (`host/pid`). Returns Redis TIME in ms.
    static let supervisionStandby = LuaLibrary.script("supervision-standby", """
    local now = now_ms()
    redis.call('HSET', K.supervisor, 'standby', ARGV[1], 'standby_at', now)
    return now
    """)

    /// Records one worker exit: settles the jobs the worker still held, appends the exit record,
    /// counts it.
    ///
    /// KEYS[1]: queue key prefix. ARGV: worker id (its consumer id), host, pid, '1' to blame the
    /// jobs (a crash) or '0' to put them back untouched (a clean exit or a stop the supervisor
    /// asked for), cause, poison threshold, the record as JSON (without `at` and `jobs`), '1' to
    /// count a crash, '1' to count an OOM kill.
    ///
    /// The worker's consumers are the id it was given plus every consumer registered from the same
    /// host and pid (a worker that made up its own id). Each job they leased is recovered with the
    /// cause (`requeued`, `poison`, `dead`) when blamed, or put back at the front of the waiting
    /// list with its attempt given back (`returned`); what they fetched but had not leased goes back
    /// to waiting; their registrations are removed. The record gets `at` (Redis TIME) and `jobs`
    /// (omitted when none: cjson writes an empty table as an object) and is pushed on the exits
    /// list, which keeps the newest 100. Returns `{now, id, outcome, id, outcome, ...}`.
    static let supervisionWorkerExit = LuaLibrary.script("supervision-worker-exit", """
    local function put_back(id)
      local h = jobkey(id)
      local f = redis.call('HMGET', h, 'state', 'locks', 'token')
      if f[1] ~= 'active' then
        redis.call('ZREM', K.active, id)
        return 'skipped'
      end
      release_job_locks(h, f[2], f[3])
      redis.call('HINCRBY', h, 'attempts', -1)
      redis.call('ZREM', K.active, id)
      redis.call('HDEL', h, 'owner', 'token', 'lease_until')
      redis.call('HSET', h, 'state', 'waiting')
      redis.call('RPUSH', K.wait, '@' .. id)
      return 'returned'
    end
    local now = now_ms()
    local worker_id, host, pid = ARGV[1], ARGV[2], ARGV[3]
    local blame, cause, poison_after = ARGV[4] == '1', ARGV[5], tonumber(ARGV[6])
    local owners = {[worker_id] = true}
    for _, consumer in ipairs(redis.call('ZRANGE', K.consumers, 0, 999)) do
      local w = redis.call('HMGET', K.worker .. consumer, 'host', 'pid')
      if w[1] == host and w[2] == pid then owners[consumer] = true end
    end
    local jobs, result = {}, {now}
    for _, id in ipairs(redis.call('ZRANGE', K.active, 0, 999)) do
      local owner = redis.call('HGET', jobkey(id), 'owner')
      if owner and owners[owner] then
        local outcome
        if blame then outcome = recover_crashed(id, now, cause, poison_after) else outcome = put_back(id) end
        jobs[#jobs + 1] = {id = id, outcome = outcome}
        result[#result + 1] = id
        result[#result + 1] = outcome
      end
    end
    for consumer in pairs(owners) do
      hand_back(consumer)
      redis.call('ZREM', K.consumers, consumer)
      redis.call('DEL', K.worker .. consumer)
    end
    local record = cjson.decode(ARGV[7])
    record['at'] = now
    record['jobs'] = nil
    if #jobs > 0 then record['jobs'] = jobs end
    redis.call('LPUSH', K.exits, cjson.encode(record))
    redis.call('LTRIM', K.exits, 0, 99)
    if ARGV[8] == '1' then count(now, 'crashes', 1) end
    if ARGV[9] == '1' then count(now, 'oom_kills', 1) end
    redis.call('HDEL', K.supervisor, 'worker_pid', 'worker_id')
    return result
    """)

    /// Trips the crash-loop breaker: no supervisor launches a worker until it is reset.
    ///
    /// KEYS[1]: queue key prefix. ARGV: reason, host, pid. Sets `breaker`, `breaker_reason`,
    /// `breaker_at` and the state `breaker`. Returns Redis TIME in ms.
    static let supervisionTripBreaker = LuaLibrary.script("supervision-trip-breaker", """
    local now = now_ms()
    local h = K.supervisor
    redis.call('HSET', h, 'breaker', '1', 'breaker_reason', ARGV[1], 'breaker_at', now, 'state', 'breaker',
      'detail', ARGV[1], 'host', ARGV[2], 'pid', ARGV[3], 'since', now, 'updated_at', now)
    redis.call('HDEL', h, 'worker_pid', 'worker_id', 'backoff_until')
    return now
    """)

    /// Resets the crash-loop breaker.
    ///
    /// KEYS[1]: queue key prefix. No ARGV. Removes the breaker fields; a `breaker` state becomes
    /// `stopped` (the supervisor exited when it tripped). Returns 1 when it was tripped, else 0.
    static let supervisionResetBreaker = LuaLibrary.script("supervision-reset-breaker", """
    local h = K.supervisor
    local tripped = redis.call('HGET', h, 'breaker') == '1'
    redis.call('HDEL', h, 'breaker', 'breaker_reason', 'breaker_at')
    if redis.call('HGET', h, 'state') == 'breaker' then
      local now = now_ms()
      redis.call('HSET', h, 'state', 'stopped', 'detail', 'breaker reset; start the supervisor again', 'since', now,
        'updated_at', now)
    end
    if tripped then return 1 end
    return 0
    """)

    /// Asks the queue's supervisor to stop its worker and launch none until the request is cleared.
    ///
    /// KEYS[1]: queue key prefix. ARGV: who asks, why. Sets `stop`, `stop_by`, `stop_at`,
    /// `stop_reason` in the config hash. Returns Redis TIME in ms.
    static let supervisionRequestStop = LuaLibrary.script("supervision-request-stop", """
    local now = now_ms()
    redis.call('HSET', K.config, 'stop', '1', 'stop_by', ARGV[1], 'stop_at', now, 'stop_reason', ARGV[2])
    return now
    """)
}
