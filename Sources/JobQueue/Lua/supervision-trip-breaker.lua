-- Trips the crash-loop breaker: no supervisor launches a worker until it is reset.
--
-- KEYS[1]: queue key prefix. ARGV: reason, host, pid. Sets `breaker`, `breaker_reason`,
-- `breaker_at` and the state `breaker`. Returns Redis TIME in ms.

local now = now_ms()
local h = K.supervisor
redis.call('HSET', h, 'breaker', '1', 'breaker_reason', ARGV[1], 'breaker_at', now, 'state', 'breaker',
  'detail', ARGV[1], 'host', ARGV[2], 'pid', ARGV[3], 'since', now, 'updated_at', now)
redis.call('HDEL', h, 'worker_pid', 'worker_id', 'backoff_until')
return now
