-- Records a failed run: retry later through the delayed set, or dead-letter.
--
-- KEYS[1]: queue key prefix. ARGV: job id, lease token, error text, retry delay ms,
-- '1' to dead-letter at once (permanent failure), dead-letter reason ('' for the default).
-- Returns `{'retry', due ms}`, `{'dead', reason}` or `{'stale'}` (token no longer holds the lease; a job
-- whose hash was evicted while it ran is counted lost, and the locks its run held are released).

local now = now_ms()
local id, token, err = ARGV[1], ARGV[2], ARGV[3]
local h = jobkey(id)
if not owns(h, token) then
  settle_missing(id, token, now)
  return {'stale'}
end
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
