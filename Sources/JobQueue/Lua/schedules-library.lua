-- The Lua the schedule scripts share (schedule-*.lua; see docs/schedules.md). Loaded after
-- library.lua, whose functions and key names (K) it uses.
--
-- Keys of a queue's schedules: K.schedules (set of names), K.schedule .. name (hash per
-- schedule), K.schedule_next (sorted set of the unpaused schedules' names by next fire time, ms)
-- and K.scheduler (the scheduler lease: the holder's name, with a TTL).

-- Takes or renews the queue's scheduler lease for `holder` for `ttl` ms: SET NX PX when nobody
-- holds it, PEXPIRE when `holder` does. Returns true when `holder` holds it now.
local function scheduler_lease(holder, ttl)
  local current = redis.call('GET', K.scheduler)
  if current == holder then
    redis.call('PEXPIRE', K.scheduler, ttl)
    return true
  end
  if current then return false end
  redis.call('SET', K.scheduler, holder, 'NX', 'PX', ttl)
  return true
end

-- The id of the job a schedule enqueues for a tick: one id per tick, so a tick cannot be
-- enqueued twice while its job exists.
local function schedule_job_id(name, tick)
  return 'schedule:' .. name .. ':' .. tick
end
