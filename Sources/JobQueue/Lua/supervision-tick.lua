-- What an active supervisor needs to know each tick, in one call: is there work, is the queue
-- paused, is a stop requested, is the breaker tripped. Also marks the supervisor as alive.
--
-- KEYS[1]: queue key prefix. No ARGV. Sets `updated_at` in the supervisor hash. Returns
-- `{now, waiting entries, due delayed jobs (0 or 1), paused, stop, stop_by, stop_at, stop_reason,
-- breaker}` with '' for absent fields.

local now = now_ms()
redis.call('HSET', K.supervisor, 'updated_at', now)
local cfg = redis.call('HMGET', K.config, 'paused', 'stop', 'stop_by', 'stop_at', 'stop_reason')
local due = #redis.call('ZRANGEBYSCORE', K.delayed, '-inf', now, 'LIMIT', 0, 1)
local breaker = redis.call('HGET', K.supervisor, 'breaker')
local levels = waiting_counts()
return {now, levels[1] + levels[2] + levels[3], due, cfg[1] or '', cfg[2] or '', cfg[3] or '', cfg[4] or '',
  cfg[5] or '', breaker or ''}
