-- Adds a schedule to the queue.
--
-- KEYS[1]: queue key prefix. ARGV: name, rule kind ('every' or 'cron'), rule value (interval ms
-- or cron expression), time zone ('' for intervals), job type, payload (JSON text), max attempts,
-- catch-up policy, skip if running ('1' or '0'), created at (ms, the anchor of intervals), first
-- fire time (ms).
-- Returns 'ok', or 'exists' when the queue has a schedule of that name (nothing is changed).
-- Guarantees: the schedule's hash, its name in the set of schedules and its next fire time are
-- written together.

local name = ARGV[1]
local h = K.schedule .. name
if redis.call('EXISTS', h) == 1 then return 'exists' end
redis.call('HSET', h, 'kind', ARGV[2], 'rule', ARGV[3], 'tz', ARGV[4], 'type', ARGV[5], 'payload', ARGV[6],
  'max_attempts', ARGV[7], 'catch_up', ARGV[8], 'skip_if_running', ARGV[9], 'created_at', ARGV[10],
  'next_at', ARGV[11], 'paused', '0', 'enqueued', 0, 'skipped', 0, 'missed', 0)
redis.call('SADD', K.schedules, name)
redis.call('ZADD', K.schedule_next, ARGV[11], name)
return 'ok'
