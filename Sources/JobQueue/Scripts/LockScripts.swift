extension QueueScripts {
    /// Takes a named lock of the queue unless it is held.
    ///
    /// KEYS[1]: queue key prefix. ARGV: lock name, owner token (random per acquisition), TTL ms,
    /// holder description (host/pid), job id ('' for none). Returns the fencing token (an integer
    /// that grows with every acquisition of this lock) or nil when the lock is held.
    static let lockAcquire = LuaLibrary.script("lock-acquire", """
    return lock_acquire(ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5], now_ms())
    """)

    /// Renews a lock's TTL, only for its owner.
    ///
    /// KEYS[1]: queue key prefix. ARGV: lock name, owner token, TTL ms. Returns 1 when renewed,
    /// 0 when the lock is no longer this owner's (its TTL passed; someone else may hold it).
    static let lockRenew = LuaLibrary.script("lock-renew", """
    if lock_renew(ARGV[1], ARGV[2], tonumber(ARGV[3])) then return 1 end
    return 0
    """)

    /// Releases a lock, only for its owner, and lets one job parked behind it wait again.
    ///
    /// KEYS[1]: queue key prefix. ARGV: lock name, owner token. Returns 1 when this call released
    /// it, 0 when it was not held by this owner.
    static let lockRelease = LuaLibrary.script("lock-release", """
    local held = redis.call('HGET', K.lock .. ARGV[1], 'owner') == ARGV[2]
    lock_release(ARGV[1], ARGV[2])
    if held then return 1 end
    return 0
    """)

    /// Lists the queue's held locks and forgets names whose lock is gone.
    ///
    /// KEYS[1]: queue key prefix. No ARGV. Returns `{now, name, ttl ms, field/value list, ...}`.
    static let lockList = LuaLibrary.script("lock-list", """
    local result = {now_ms()}
    for _, name in ipairs(redis.call('SMEMBERS', K.locks)) do
      local key = K.lock .. name
      local ttl = redis.call('PTTL', key)
      if ttl == -2 then
        redis.call('SREM', K.locks, name)
      else
        result[#result + 1] = name
        result[#result + 1] = ttl
        result[#result + 1] = redis.call('HGETALL', key)
      end
    end
    return result
    """)

    /// Sets or removes a token bucket's rate and burst, keeping its level (cut to the new burst).
    ///
    /// KEYS[1]: queue key prefix. ARGV: limiter key ('' for the queue's own bucket, kept in the
    /// config hash), tokens per period (0 removes the limit), period ms, burst. Returns 1.
    static let setLimit = LuaLibrary.script("set-limit", """
    local key = K.config
    if ARGV[1] ~= '' then key = K.key_limit .. ARGV[1] end
    if tonumber(ARGV[2]) == 0 then
      redis.call('HDEL', key, 'rate', 'per_ms', 'burst', 'tokens', 'at')
      return 1
    end
    redis.call('HSET', key, 'rate', ARGV[2], 'per_ms', ARGV[3], 'burst', ARGV[4])
    local tokens = tonumber(redis.call('HGET', key, 'tokens'))
    if tokens and tokens > tonumber(ARGV[4]) then redis.call('HSET', key, 'tokens', ARGV[4]) end
    return 1
    """)

    /// Reads a token bucket's setting and its level now (Redis clock), without taking a token.
    ///
    /// KEYS[1]: queue key prefix. ARGV: limiter key ('' for the queue's own bucket).
    /// Returns `{rate, period ms, burst, level as text}` or `{}` when no limit is set.
    static let limitStatus = LuaLibrary.script("limit-status", """
    local key = K.config
    if ARGV[1] ~= '' then key = K.key_limit .. ARGV[1] end
    local b = redis.call('HMGET', key, 'rate', 'per_ms', 'burst', 'tokens', 'at')
    if not b[1] then return {} end
    local level = bucket_level(b, now_ms())
    return {tonumber(b[1]), tonumber(b[2]), tonumber(b[3]), tostring(level)}
    """)
}
