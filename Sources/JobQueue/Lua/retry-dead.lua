-- Sends dead letters back to the waiting list with a fresh attempt count.
--
-- KEYS[1]: queue key prefix. ARGV: '*' for all (up to 1000 per call) or job ids.
-- Returns `{requeued, lost}`: the jobs requeued, and the dead letters whose hash was gone
-- (evicted): nothing is left to run, so each is dropped and counted lost (state dead), never
-- requeued as an empty job. Malformed messages are requeued as they arrived.

local now = now_ms()
local ids = ARGV
if ARGV[1] == '*' then ids = redis.call('ZRANGE', K.dead, 0, 999) end
local requeued, lost = 0, 0
for _, id in ipairs(ids) do
  local h = jobkey(id)
  if redis.call('ZREM', K.dead, id) == 1 then
    if redis.call('EXISTS', h) == 0 then
      count_lost(id, 'dead', now)
      lost = lost + 1
    elseif redis.call('HGET', h, 'type') == 'malformed' then
      local body = redis.call('HGET', h, 'body')
      redis.call('DEL', h)
      redis.call('LPUSH', K.wait, body)
      requeued = requeued + 1
    else
      redis.call('HSET', h, 'state', 'waiting', 'attempts', 0, 'crashes', 0)
      redis.call('HDEL', h, 'dead_reason', 'dead_at', 'owner', 'host', 'pid')
      push_waiting('@' .. id, redis.call('HGET', h, 'priority'))
      requeued = requeued + 1
    end
  end
end
return {requeued, lost}
