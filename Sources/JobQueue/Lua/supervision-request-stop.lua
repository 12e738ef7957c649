-- Asks the queue's supervisor to stop its worker and launch none until the request is cleared.
--
-- KEYS[1]: queue key prefix. ARGV: who asks, why. Sets `stop`, `stop_by`, `stop_at`,
-- `stop_reason` in the config hash. Returns Redis TIME in ms.

local now = now_ms()
redis.call('HSET', K.config, 'stop', '1', 'stop_by', ARGV[1], 'stop_at', now, 'stop_reason', ARGV[2])
return now
