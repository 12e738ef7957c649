-- Marks a supervisor waiting for the supervisor lock, without touching the active one's state.
--
-- KEYS[1]: queue key prefix. ARGV: holder (`host/pid`). Returns Redis TIME in ms.

local now = now_ms()
redis.call('HSET', K.supervisor, 'standby', ARGV[1], 'standby_at', now)
return now
