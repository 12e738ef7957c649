-- Removes a schedule. Jobs it already enqueued stay.
--
-- KEYS[1]: queue key prefix. ARGV: name.
-- Returns 1 when the schedule existed, 0 when not.

local name = ARGV[1]
redis.call('SREM', K.schedules, name)
redis.call('ZREM', K.schedule_next, name)
return redis.call('DEL', K.schedule .. name)
