-- A scheduler's look at the queue's schedules: takes or renews the scheduler lease, and, for the
-- lease's holder, lists the schedules whose next fire time has come.
--
-- KEYS[1]: queue key prefix. ARGV: holder (the scheduler's name), lease ms, most schedules to
-- list.
-- Returns, for the holder, {now, 1, next fire time after now or -1, entries}, each entry
-- {name, next_at, kind, rule, tz, created_at, catch_up} of a due schedule, earliest first; for any
-- other caller {now, 0, ms left on the holder's lease}.

local now = now_ms()
if not scheduler_lease(ARGV[1], tonumber(ARGV[2])) then
  return {now, 0, redis.call('PTTL', K.scheduler)}
end
local entries = {}
for _, name in ipairs(redis.call('ZRANGEBYSCORE', K.schedule_next, '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))) do
  local f = redis.call('HMGET', K.schedule .. name, 'next_at', 'kind', 'rule', 'tz', 'created_at', 'catch_up')
  if f[2] then
    entries[#entries + 1] = {name, f[1] or '', f[2], f[3] or '', f[4] or '', f[5] or '', f[6] or ''}
  else
    redis.call('ZREM', K.schedule_next, name)
  end
end
local later = redis.call('ZRANGEBYSCORE', K.schedule_next, '(' .. now, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
return {now, 1, tonumber(later[2]) or -1, entries}
