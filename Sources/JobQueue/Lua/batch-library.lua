-- The Lua a worker that holds several leases at once (prefetch) shares with the one-job scripts:
-- acking one job, extending one lease, reserving up to N jobs, and giving back jobs it leased but
-- never started. Loaded after library.lua (it uses that file's functions).

-- Acks job `id` for the holder of `token` (see complete.lua): deletes it, or keeps it in the
-- history. Returns 'acked' (the caller counts it processed: a batch counts its acks at once),
-- 'evicted' (its hash was evicted while it ran: settled as lost) or 'stale' (the token no longer
-- holds the lease).
local function ack_job(id, token, result, progress, now)
  local h = jobkey(id)
  local f = redis.call('HMGET', h, 'state', 'token', 'unique', 'locks', 'owner')
  if f[1] == 'active' and f[2] == token then
    redis.call('ZREM', K.active, id)
    release_unique(f[3], id)
    release_job_locks(h, f[4], token)
    if not keep_completed(h, id, f[5], result, progress, now) then redis.call('DEL', h) end
    return 'acked'
  elseif not f[1] and settle_missing(id, token, now) then
    return 'evicted'
  end
  return 'stale'
end

-- Extends the lease of job `id` and the locks its run holds to `ms` from `now`, for the holder of
-- `token` only (see extend.lua), saving `progress` (JSON text; nil or '' for none) with it.
-- Returns {'extended', deadline}, {'evicted', deadline} or {'lost'} (or {'lost', lock name}).
local function extend_lease(id, token, ms, now, progress)
  local h = jobkey(id)
  local deadline = now + ms
  local f = redis.call('HMGET', h, 'state', 'token', 'locks')
  if not f[1] and redis.call('ZSCORE', K.active, id) then
    for _, name in ipairs(token_locks(token)) do lock_renew(name, token, ms) end
    redis.call('ZADD', K.active, 'XX', deadline, id)
    return {'evicted', deadline}
  end
  if f[1] ~= 'active' or f[2] ~= token then return {'lost'} end
  if f[3] then
    for name in string.gmatch(f[3], '[^ ]+') do
      if not lock_renew(name, token, ms) then return {'lost', name} end
    end
  end
  redis.call('ZADD', K.active, 'XX', deadline, id)
  redis.call('HSET', h, 'lease_until', deadline)
  if progress and progress ~= '' then redis.call('HSET', h, 'progress', progress, 'progress_at', now) end
  return {'extended', deadline}
end

-- Reserves up to `n` jobs for `consumer`, each with its own lease, token and attempt, by running
-- the reserve step (library.lua) once per job: every job takes its own rate-limit token, its own
-- concurrency slot and its concurrency key's lock, exactly as when reserved one at a time. Stops
-- at the first reply that is not a job (empty, paused, throttled, saturated, busy). Returns the
-- job replies in the order they were taken; when none was taken, the one reply that ended it.
local function reserve_many(n, consumer, fetched, promote, now, lease_ms, max_bytes, default_attempts)
  local replies = {}
  while #replies < n do
    local reply = reserve(consumer, fetched, promote, now, lease_ms, max_bytes, default_attempts)
    fetched, promote = '0', '0'
    if reply[1] ~= 'job' then
      if #replies == 0 then replies[1] = reply end
      break
    end
    replies[#replies + 1] = reply
  end
  return replies
end

-- Gives back job `id`, leased to `token` but never started: its run's locks (a concurrency slot or
-- key) are released, its attempt is not counted (attempts goes back down; `leases` stays, as it
-- numbers the tokens) and it waits again at the front of its level's waiting list. Returns true
-- when it was given back, false when the token no longer holds the lease (nothing changes).
local function return_unstarted(id, token)
  local h = jobkey(id)
  if not owns(h, token) then return false end
  local f = redis.call('HMGET', h, 'locks', 'priority')
  release_job_locks(h, f[1], token)
  redis.call('HINCRBY', h, 'attempts', -1)
  redis.call('ZREM', K.active, id)
  redis.call('HDEL', h, 'owner', 'token', 'lease_until')
  redis.call('HSET', h, 'state', 'waiting')
  push_waiting('@' .. id, f[2], true)
  return true
end
