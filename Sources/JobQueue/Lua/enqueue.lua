-- Adds one or more jobs (a batch is one call: one round trip, one script run).
--
-- KEYS[1]: queue key prefix. ARGV: for each job nine values: id, payload (JSON text), type,
-- max_attempts, delay in ms (0: ready now), unique key, limiter key, concurrency key ('' for
-- none), priority ('high', 'low', or '' for normal). The hash keeps the payload and the fields apart, not a whole message: a small job's
-- fields stay under Redis's compact-hash limits (64 bytes a value).
-- Returns one reply per job, in order: `{'ok', id}`, `{'duplicate', id of the job holding the
-- unique key}` or `{'exists', id}`. Guarantees: each job's hash, unique key and waiting-list or
-- delayed entry are written together or not at all; a unique key is refused only while its
-- holder is waiting, delayed or running; an id is refused while a job with it exists, except a
-- completed job kept in the history (that record is replaced).

local now = now_ms()
local results, added = {}, 0
for i = 1, #ARGV, 9 do
  local id, payload, jtype, attempts, delay, unique = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], tonumber(ARGV[i + 4]), ARGV[i + 5]
  local limiter, concurrency_key, priority = ARGV[i + 6], ARGV[i + 7], ARGV[i + 8]
  local h = jobkey(id)
  local refused = nil
  if id_taken(id, h) then
    refused = {'exists', id}
  elseif unique ~= '' then
    local uk = K.unique .. unique
    local holder = redis.call('GET', uk)
    if holder then
      local state = redis.call('HGET', jobkey(holder), 'state')
      if state == 'waiting' or state == 'delayed' or state == 'active' then refused = {'duplicate', holder} end
    end
    if not refused then redis.call('SET', uk, id) end
  end
  if refused then
    results[#results + 1] = refused
  else
    if delay > 0 then
      redis.call('HSET', h, 'payload', payload, 'type', jtype, 'max_attempts', attempts, 'enqueued_at', now,
        'state', 'delayed', 'due_at', now + delay)
      redis.call('ZADD', K.delayed, now + delay, id)
    else
      redis.call('HSET', h, 'payload', payload, 'type', jtype, 'max_attempts', attempts, 'enqueued_at', now, 'state', 'waiting')
      push_waiting('@' .. id, priority)
    end
    if priority ~= '' then redis.call('HSET', h, 'priority', priority) end
    if unique ~= '' then redis.call('HSET', h, 'unique', unique) end
    if limiter ~= '' then redis.call('HSET', h, 'limiter', limiter) end
    if concurrency_key ~= '' then redis.call('HSET', h, 'concurrency_key', concurrency_key) end
    added = added + 1
    results[#results + 1] = {'ok', id}
  end
end
if added > 0 then count(now, 'enqueued', added) end
return results
