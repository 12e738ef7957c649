-- The queue's running jobs with their owners, for reports of work still in hand. Read-only.
--
-- KEYS[1]: queue key prefix. ARGV: most jobs to return. Returns `{now, {id, lease deadline,
-- owner, started_at, type, host, pid}...}` with '' for unknown fields, earliest deadline first.

local result = {now_ms()}
local ids = redis.call('ZRANGE', K.active, 0, tonumber(ARGV[1]) - 1, 'WITHSCORES')
for i = 1, #ids, 2 do
  local f = redis.call('HMGET', jobkey(ids[i]), 'owner', 'started_at', 'type')
  local w = {false, false}
  if f[1] then w = redis.call('HMGET', K.worker .. f[1], 'host', 'pid') end
  result[#result + 1] = {ids[i], ids[i + 1], f[1] or '', f[2] or '', f[3] or '', w[1] or '', w[2] or ''}
end
return result
