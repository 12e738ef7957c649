-- Reads the queue's schedules: their definitions, next fire times and last results. Read-only;
-- its cost grows with the number of schedules, not of jobs.
--
-- KEYS[1]: queue key prefix. ARGV: a schedule name, or '' for all of them.
-- Returns {now, lease holder or false, lease ms left, entries}, each entry {name, HGETALL of the
-- schedule, state of its last job or false when that job is gone}; entries sorted by name.

local names
if ARGV[1] ~= '' then
  names = {ARGV[1]}
else
  names = redis.call('SMEMBERS', K.schedules)
  table.sort(names)
end
local entries = {}
for _, name in ipairs(names) do
  local fields = redis.call('HGETALL', K.schedule .. name)
  if #fields > 0 then
    local last = redis.call('HGET', K.schedule .. name, 'last_job')
    local state = false
    if last then state = redis.call('HGET', jobkey(last), 'state') end
    entries[#entries + 1] = {name, fields, state}
  end
end
return {now_ms(), redis.call('GET', K.scheduler), redis.call('PTTL', K.scheduler), entries}
