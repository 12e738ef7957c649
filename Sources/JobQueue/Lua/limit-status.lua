-- Reads a token bucket's setting and its level now (Redis clock), without taking a token.
--
-- KEYS[1]: queue key prefix. ARGV: limiter key ('' for the queue's own bucket).
-- Returns `{rate, period ms, burst, level as text}` or `{}` when no limit is set.

local key = K.config
if ARGV[1] ~= '' then key = K.key_limit .. ARGV[1] end
local b = redis.call('HMGET', key, 'rate', 'per_ms', 'burst', 'tokens', 'at')
if not b[1] then return {} end
local level = bucket_level(b, now_ms())
return {tonumber(b[1]), tonumber(b[2]), tonumber(b[3]), tostring(level)}
