-- Records one worker exit: settles the jobs the worker still held, appends the exit record,
-- counts it.
--
-- KEYS[1]: queue key prefix. ARGV: worker id (its consumer id), host, pid, '1' to blame the
-- jobs (a crash) or '0' to put them back untouched (a clean exit or a stop the supervisor
-- asked for), cause, poison threshold, the record as JSON (without `at` and `jobs`), '1' to
-- count a crash, '1' to count an OOM kill.
--
-- The worker's consumers are the id it was given plus every consumer registered from the same
-- host and pid (a worker that made up its own id). Each job they leased is recovered with the
-- cause (`requeued`, `poison`, `dead`) when blamed, or put back at the front of the waiting
-- list with its attempt given back (`returned`); what they fetched but had not leased goes back
-- to waiting; their registrations are removed. The record gets `at` (Redis TIME) and `jobs`
-- (omitted when none: cjson writes an empty table as an object) and is pushed on the exits
-- list, which keeps the newest 100. Returns `{now, id, outcome, id, outcome, ...}`.

local function put_back(id)
  local h = jobkey(id)
  local f = redis.call('HMGET', h, 'state', 'locks', 'token')
  if f[1] ~= 'active' then
    redis.call('ZREM', K.active, id)
    return 'skipped'
  end
  release_job_locks(h, f[2], f[3])
  redis.call('HINCRBY', h, 'attempts', -1)
  redis.call('ZREM', K.active, id)
  redis.call('HDEL', h, 'owner', 'token', 'lease_until')
  redis.call('HSET', h, 'state', 'waiting')
  push_waiting('@' .. id, redis.call('HGET', jobkey(id), 'priority'), true)
  return 'returned'
end
local now = now_ms()
local worker_id, host, pid = ARGV[1], ARGV[2], ARGV[3]
local blame, cause, poison_after = ARGV[4] == '1', ARGV[5], tonumber(ARGV[6])
local owners = {[worker_id] = true}
for _, consumer in ipairs(redis.call('ZRANGE', K.consumers, 0, 999)) do
  local w = redis.call('HMGET', K.worker .. consumer, 'host', 'pid')
  if w[1] == host and w[2] == pid then owners[consumer] = true end
end
local jobs, result = {}, {now}
for _, id in ipairs(redis.call('ZRANGE', K.active, 0, 999)) do
  local owner = redis.call('HGET', jobkey(id), 'owner')
  if owner and owners[owner] then
    local outcome
    if blame then outcome = recover_crashed(id, now, cause, poison_after) else outcome = put_back(id) end
    jobs[#jobs + 1] = {id = id, outcome = outcome}
    result[#result + 1] = id
    result[#result + 1] = outcome
  end
end
for consumer in pairs(owners) do
  hand_back(consumer)
  redis.call('ZREM', K.consumers, consumer)
  redis.call('DEL', K.worker .. consumer)
end
local record = cjson.decode(ARGV[7])
record['at'] = now
record['jobs'] = nil
if #jobs > 0 then record['jobs'] = jobs end
redis.call('LPUSH', K.exits, cjson.encode(record))
redis.call('LTRIM', K.exits, 0, 99)
if ARGV[8] == '1' then count(now, 'crashes', 1) end
if ARGV[9] == '1' then count(now, 'oom_kills', 1) end
redis.call('HDEL', K.supervisor, 'worker_pid', 'worker_id')
return result
