-- Sets how many finished jobs of one kind the queue keeps, and for how long, and trims what it
-- keeps to the new bounds at once (so lowering a bound, or turning the history off, frees the
-- memory now rather than as jobs finish).
--
-- KEYS[1]: queue key prefix. ARGV: kind ('completed': the history, fields history_max_count and
-- history_max_age_ms of K.config; 'dead': dead letters, dead_max_count and dead_max_age_ms),
-- most jobs kept (for 'completed', 0 keeps none: the fields are removed), longest time kept in ms.
-- Returns the number of jobs deleted.

local now = now_ms()
local kind, max_count, max_age = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local set, state, prefix = K.completed, 'completed', 'history'
if kind == 'dead' then set, state, prefix = K.dead, 'dead', 'dead' end
if kind == 'completed' and max_count == 0 then
  redis.call('HDEL', K.config, 'history_max_count', 'history_max_age_ms')
else
  redis.call('HSET', K.config, prefix .. '_max_count', max_count, prefix .. '_max_age_ms', max_age)
end
local deleted = 0
repeat
  local removed = trim_finished(set, state, now, max_count, max_age)
  deleted = deleted + removed
until removed == 0
return deleted
