extension QueueScripts {
    /// One pass of the reaper, run by at most one process per interval.
    ///
    /// KEYS[1]: queue key prefix. ARGV: holder id, interval ms, consumer TTL ms, poison threshold.
    /// Takes the reaper lock with SET NX PX (the election); a process that does not get it returns
    /// `{-1}` at once. Otherwise: promotes due delayed jobs; puts every job whose lease deadline
    /// (Redis TIME) has passed back to waiting, counting a crash ('lease expired'), or to dead
    /// letters; and returns to the waiting list what consumers that stopped heartbeating had
    /// fetched but not leased; and lets parked jobs wait again when their lock was freed by a TTL.
    /// Returns `{promoted, requeued, dead letters, orphaned claims}`.
    static let reap = LuaLibrary.script("reap", """
    if not redis.call('SET', K.reaper, ARGV[1], 'NX', 'PX', ARGV[2]) then return {-1} end
    local now = now_ms()
    local poison_after = tonumber(ARGV[4])
    local promoted = promote_due(now, 1000)
    local requeued, dead, orphans = 0, 0, 0
    for _, id in ipairs(redis.call('ZRANGEBYSCORE', K.active, '-inf', now, 'LIMIT', 0, 100)) do
      local outcome = recover_crashed(id, now, 'lease expired', poison_after)
      if outcome == 'requeued' then requeued = requeued + 1 elseif outcome ~= 'skipped' then dead = dead + 1 end
    end
    for _, consumer in ipairs(redis.call('ZRANGEBYSCORE', K.consumers, '-inf', now - tonumber(ARGV[3]), 'LIMIT', 0, 100)) do
      local claim_list = K.claim .. consumer
      orphans = orphans + redis.call('LLEN', claim_list)
      hand_back(consumer)
      redis.call('ZREM', K.consumers, consumer)
    end
    for _, name in ipairs(redis.call('SRANDMEMBER', K.parked_names, 100)) do unpark(name) end
    return {promoted, requeued, dead, orphans}
    """)

    /// Recovers the jobs of a consumer known to be dead (its process exited), at once rather than
    /// after its leases expire. Used by the supervisor, which knows why the worker died.
    ///
    /// KEYS[1]: queue key prefix. ARGV: consumer id, cause (e.g. 'OOM', 'killed by SIGKILL'),
    /// poison threshold. Every job leased by that consumer counts a crash with the cause and is
    /// requeued, or quarantined as poison, or dead-lettered; its claim list goes back to waiting.
    /// Returns a flat list `{id, outcome, id, outcome, ...}`.
    static let recoverConsumer = LuaLibrary.script("recover-consumer", """
    local now = now_ms()
    local consumer, cause, poison_after = ARGV[1], ARGV[2], tonumber(ARGV[3])
    local result = {}
    for _, id in ipairs(redis.call('ZRANGE', K.active, 0, 999)) do
      if redis.call('HGET', jobkey(id), 'owner') == consumer then
        table.insert(result, id)
        table.insert(result, recover_crashed(id, now, cause, poison_after))
      end
    end
    hand_back(consumer)
    redis.call('ZREM', K.consumers, consumer)
    redis.call('DEL', K.worker .. consumer)
    return result
    """)

    /// Records that a consumer is alive, with what it is doing, for the reaper and `jobq stats`.
    ///
    /// KEYS[1]: queue key prefix. ARGV: consumer id, TTL ms, then field/value pairs for the
    /// worker's registry hash (host, pid, job, started_at, rss ...). Returns Redis TIME in ms.
    static let heartbeat = LuaLibrary.script("heartbeat", """
    local now = now_ms()
    local consumer = ARGV[1]
    redis.call('ZADD', K.consumers, now, consumer)
    local info = K.worker .. consumer
    if #ARGV > 2 then
      redis.call('HSET', info, 'seen_at', now, unpack(ARGV, 3))
    else
      redis.call('HSET', info, 'seen_at', now)
    end
    redis.call('PEXPIRE', info, ARGV[2])
    return now
    """)
}
