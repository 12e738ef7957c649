-- Pauses or resumes a schedule. A paused schedule has no next fire time and fires nothing; its
-- ticks while paused are not caught up. Resuming sets the next fire time the client computed.
--
-- KEYS[1]: queue key prefix. ARGV: name, '1' to pause or '0' to resume, next fire time (ms, when
-- resuming).
-- Returns 'ok', or 'missing' when there is no such schedule.

local name, pause = ARGV[1], ARGV[2]
local h = K.schedule .. name
if redis.call('EXISTS', h) == 0 then return 'missing' end
if pause == '1' then
  redis.call('HSET', h, 'paused', '1')
  redis.call('HDEL', h, 'next_at')
  redis.call('ZREM', K.schedule_next, name)
else
  redis.call('HSET', h, 'paused', '0', 'next_at', ARGV[3])
  redis.call('ZADD', K.schedule_next, ARGV[3], name)
end
return 'ok'
