-- The queue's finished jobs, newest first: completed jobs kept in the history (K.completed) and
-- dead letters (K.dead), merged by the time they finished. Read-only.
--
-- KEYS[1]: queue key prefix. ARGV: most jobs to return, '1' for dead letters only.
-- Returns `{{id, HGETALL of its hash}...}`; an id whose hash is gone (evicted) is left out.

local limit = tonumber(ARGV[1])
local function newest(set)
  local entries = {}
  local reply = redis.call('ZREVRANGE', set, 0, limit - 1, 'WITHSCORES')
  for i = 1, #reply, 2 do entries[#entries + 1] = {reply[i], tonumber(reply[i + 1])} end
  return entries
end
local dead = newest(K.dead)
local completed = {}
if ARGV[2] ~= '1' then completed = newest(K.completed) end
local jobs = {}
local d, c = 1, 1
while #jobs < limit and (dead[d] or completed[c]) do
  local entry
  if not completed[c] or (dead[d] and dead[d][2] >= completed[c][2]) then
    entry = dead[d]
    d = d + 1
  else
    entry = completed[c]
    c = c + 1
  end
  local fields = redis.call('HGETALL', jobkey(entry[1]))
  if #fields > 0 then jobs[#jobs + 1] = {entry[1], fields} end
end
return jobs
