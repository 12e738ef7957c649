extension QueueScripts {
    /// Records a failed run: retry later through the delayed set, or dead-letter.
    ///
    /// KEYS[1]: queue key prefix. ARGV: job id, lease token, error text, retry delay ms,
    /// '1' to dead-letter at once (permanent failure), dead-letter reason ('' for the default).
    /// Returns `{'retry', due ms}`, `{'dead', reason}` or `{'stale'}` (token no longer holds the lease).
    static let fail = LuaLibrary.script("fail", """
    local now = now_ms()
    local id, token, err = ARGV[1], ARGV[2], ARGV[3]
    local h = jobkey(id)
    if not owns(h, token) then return {'stale'} end
    release_job_locks(h, redis.call('HGET', h, 'locks'), token)
    redis.call('HSET', h, 'last_error', err, 'last_failed_at', now)
    count(now, 'failed', 1)
    local f = redis.call('HMGET', h, 'attempts', 'max_attempts')
    local attempts, max = tonumber(f[1]), tonumber(f[2])
    local reason = nil
    if ARGV[5] == '1' then
      reason = ARGV[6] ~= '' and ARGV[6] or ('failed permanently: ' .. err)
    elseif attempts >= max then
      reason = ARGV[6] ~= '' and ARGV[6] or ('failed ' .. attempts .. ' of ' .. max .. ' attempts: ' .. err)
    end
    if reason then
      dead_letter(h, id, reason, now)
      if string.sub(reason, 1, 10) == 'malformed:' then count(now, 'malformed', 1) end
      return {'dead', reason}
    end
    local due = now + tonumber(ARGV[4])
    redis.call('ZREM', K.active, id)
    redis.call('HSET', h, 'state', 'delayed', 'due_at', due)
    redis.call('HDEL', h, 'owner', 'token', 'lease_until')
    redis.call('ZADD', K.delayed, due, id)
    count(now, 'retried', 1)
    return {'retry', due}
    """)

    /// Puts a running job back without it counting as a failure: for "try again later"
    /// (exit 75) and for a graceful shutdown.
    ///
    /// KEYS[1]: queue key prefix. ARGV: job id, lease token, delay ms (0: at the front of the
    /// waiting list, to run next), '1' to keep the attempt counted ('0' gives it back).
    /// Returns `{'released'}` or `{'stale'}`.
    static let release = LuaLibrary.script("release", """
    local now = now_ms()
    local id, token, delay = ARGV[1], ARGV[2], tonumber(ARGV[3])
    local h = jobkey(id)
    if not owns(h, token) then return {'stale'} end
    release_job_locks(h, redis.call('HGET', h, 'locks'), token)
    if ARGV[4] ~= '1' then redis.call('HINCRBY', h, 'attempts', -1) end
    redis.call('ZREM', K.active, id)
    redis.call('HDEL', h, 'owner', 'token', 'lease_until')
    if delay > 0 then
      redis.call('HSET', h, 'state', 'delayed', 'due_at', now + delay)
      redis.call('ZADD', K.delayed, now + delay, id)
    else
      redis.call('HSET', h, 'state', 'waiting')
      redis.call('RPUSH', K.wait, '@' .. id)
    end
    return {'released'}
    """)

    /// Extends a lease, and the locks the run holds, only for their owner.
    ///
    /// KEYS[1]: queue key prefix. ARGV: job id, lease token, new lease length ms (from now).
    /// Returns `{'extended', deadline ms}`, or `{'lost'}` when the token no longer holds the lease
    /// or one of the run's locks (its TTL passed and it was taken): the run must stop.
    static let extend = LuaLibrary.script("extend", """
    local now = now_ms()
    local id, token = ARGV[1], ARGV[2]
    local h = jobkey(id)
    local f = redis.call('HMGET', h, 'state', 'token', 'locks')
    if f[1] ~= 'active' or f[2] ~= token then return {'lost'} end
    if f[3] then
      for name in string.gmatch(f[3], '[^ ]+') do
        if not lock_renew(name, token, tonumber(ARGV[3])) then return {'lost', name} end
      end
    end
    local deadline = now + tonumber(ARGV[3])
    redis.call('ZADD', K.active, 'XX', deadline, id)
    redis.call('HSET', h, 'lease_until', deadline)
    return {'extended', deadline}
    """)

    /// Cancels a waiting or delayed job.
    ///
    /// KEYS[1]: queue key prefix. ARGV: job id. A waiting job becomes a tombstone that the reserve
    /// step drops (no scan of the waiting list); a delayed job is deleted; a dead letter is
    /// deleted. Returns `{'cancelled', previous state}`, `{'running'}` or `{'missing'}`.
    static let cancel = LuaLibrary.script("cancel", """
    local id = ARGV[1]
    local h = jobkey(id)
    local state = redis.call('HGET', h, 'state')
    if not state or state == 'cancelled' then return {'missing'} end
    if state == 'active' then return {'running'} end
    release_unique(redis.call('HGET', h, 'unique'), id)
    if state == 'waiting' then
      redis.call('DEL', h)
      redis.call('HSET', h, 'state', 'cancelled')
    else
      redis.call('ZREM', K.delayed, id)
      redis.call('ZREM', K.dead, id)
      redis.call('DEL', h)
    end
    count(now_ms(), 'cancelled', 1)
    return {'cancelled', state}
    """)

    /// Sends dead letters back to the waiting list with a fresh attempt count.
    ///
    /// KEYS[1]: queue key prefix. ARGV: '*' for all (up to 1000 per call) or job ids.
    /// Returns the number of jobs requeued. Malformed messages are requeued as they arrived.
    static let retryDead = LuaLibrary.script("retry-dead", """
    local ids = ARGV
    if ARGV[1] == '*' then ids = redis.call('ZRANGE', K.dead, 0, 999) end
    local n = 0
    for _, id in ipairs(ids) do
      local h = jobkey(id)
      if redis.call('ZREM', K.dead, id) == 1 then
        if redis.call('HGET', h, 'type') == 'malformed' then
          local body = redis.call('HGET', h, 'body')
          redis.call('DEL', h)
          redis.call('LPUSH', K.wait, body)
        else
          redis.call('HSET', h, 'state', 'waiting', 'attempts', 0, 'crashes', 0)
          redis.call('HDEL', h, 'dead_reason', 'dead_at')
          redis.call('LPUSH', K.wait, '@' .. id)
        end
        n = n + 1
      end
    end
    return n
    """)
}
