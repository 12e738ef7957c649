extension QueueScripts {
    /// Adds one job.
    ///
    /// KEYS[1]: queue key prefix. ARGV: id, body (the job's JSON message), type, max_attempts,
    /// delay in ms (0: ready now), unique key ('' for none).
    /// Returns `{'ok', id}`, `{'duplicate', id of the job holding the unique key}` or
    /// `{'exists', id}`. Guarantees: the job hash, the unique key and the waiting-list or delayed
    /// entry are written together or not at all; a unique key is refused only while its holder is
    /// waiting, delayed or running.
    static let enqueue = RedisScript(name: "enqueue", source: LuaLibrary.source + """
    local now = now_ms()
    local id, unique, delay = ARGV[1], ARGV[6], tonumber(ARGV[5])
    local h = jobkey(id)
    if redis.call('EXISTS', h) == 1 then return {'exists', id} end
    if unique ~= '' then
      local uk = K.unique .. unique
      local holder = redis.call('GET', uk)
      if holder then
        local state = redis.call('HGET', jobkey(holder), 'state')
        if state == 'waiting' or state == 'delayed' or state == 'active' then return {'duplicate', holder} end
      end
      redis.call('SET', uk, id)
    end
    redis.call('HSET', h, 'body', ARGV[2], 'type', ARGV[3], 'max_attempts', ARGV[4],
      'attempts', 0, 'crashes', 0, 'enqueued_at', now)
    if unique ~= '' then redis.call('HSET', h, 'unique', unique) end
    if delay > 0 then
      redis.call('HSET', h, 'state', 'delayed', 'due_at', now + delay)
      redis.call('ZADD', K.delayed, now + delay, id)
    else
      redis.call('HSET', h, 'state', 'waiting')
      redis.call('LPUSH', K.wait, '@' .. id)
    end
    count(now, 'enqueued', 1)
    return {'ok', id}
    """)
}
