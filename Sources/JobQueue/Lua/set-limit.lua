-- Sets or removes a token bucket's rate and burst, keeping its level (cut to the new burst).
--
-- KEYS[1]: queue key prefix. ARGV: limiter key ('' for the queue's own bucket, kept in the
-- config hash), tokens per period (0 removes the limit), period ms, burst. Returns 1.

local key = K.config
if ARGV[1] ~= '' then key = K.key_limit .. ARGV[1] end
if tonumber(ARGV[2]) == 0 then
  redis.call('HDEL', key, 'rate', 'per_ms', 'burst', 'tokens', 'at')
  return 1
end
redis.call('HSET', key, 'rate', ARGV[2], 'per_ms', ARGV[3], 'burst', ARGV[4])
local tokens = tonumber(redis.call('HGET', key, 'tokens'))
if tokens and tokens > tonumber(ARGV[4]) then redis.call('HSET', key, 'tokens', ARGV[4]) end
return 1
