-- Puts a running job back without it counting as a failure: for "try again later"
-- (exit 75) and for a graceful shutdown.
--
-- KEYS[1]: queue key prefix. ARGV: job id, lease token, delay ms (0: at the front of its
-- level's waiting list, to run next), '1' to keep the attempt counted ('0' gives it back).
-- Returns `{'released'}` or `{'stale'}` (a job whose hash was evicted while it ran is
-- counted lost, and the locks its run held are released).

local now = now_ms()
local id, token, delay = ARGV[1], ARGV[2], tonumber(ARGV[3])
local h = jobkey(id)
if not owns(h, token) then
  settle_missing(id, token, now)
  return {'stale'}
end
release_job_locks(h, redis.call('HGET', h, 'locks'), token)
if ARGV[4] ~= '1' then redis.call('HINCRBY', h, 'attempts', -1) end
redis.call('ZREM', K.active, id)
redis.call('HDEL', h, 'owner', 'token', 'lease_until')
if delay > 0 then
  redis.call('HSET', h, 'state', 'delayed', 'due_at', now + delay)
  redis.call('ZADD', K.delayed, now + delay, id)
else
  redis.call('HSET', h, 'state', 'waiting')
  push_waiting('@' .. id, redis.call('HGET', h, 'priority'), true)
end
return {'released'}
