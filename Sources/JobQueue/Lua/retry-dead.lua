-- Sends dead letters back to the waiting list with a fresh attempt count.
--
-- KEYS[1]: queue key prefix. ARGV: '*' for all (up to 1000 per call) or job ids.
-- Returns the number of jobs requeued. Malformed messages are requeued as they arrived.

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
