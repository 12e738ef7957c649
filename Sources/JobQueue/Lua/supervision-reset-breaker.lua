-- Resets the crash-loop breaker.
--
-- KEYS[1]: queue key prefix. No ARGV. Removes the breaker fields; a `breaker` state becomes
-- `stopped` (the supervisor exited when it tripped). Returns 1 when it was tripped, else 0.

local h = K.supervisor
local tripped = redis.call('HGET', h, 'breaker') == '1'
redis.call('HDEL', h, 'breaker', 'breaker_reason', 'breaker_at')
if redis.call('HGET', h, 'state') == 'breaker' then
  local now = now_ms()
  redis.call('HSET', h, 'state', 'stopped', 'detail', 'breaker reset; start the supervisor again', 'since', now,
    'updated_at', now)
end
if tripped then return 1 end
return 0
