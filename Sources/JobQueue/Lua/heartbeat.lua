-- Records that a consumer is alive, with what it is doing, for the reaper and `jobq stats`.
--
-- KEYS[1]: queue key prefix. ARGV: consumer id, TTL ms, then field/value pairs for the
-- worker's registry hash (host, pid, job, started_at, rss ...). Returns Redis TIME in ms.

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
