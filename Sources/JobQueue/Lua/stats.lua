-- Everything `jobq stats` shows about a queue, read in one call whose cost does not depend on
-- the number of jobs: lengths and counts come from LLEN, ZCARD and ZCOUNT, the oldest waiting
-- job from the taking end of each level's waiting list only. Read-only.
--
-- KEYS[1]: queue key prefix. ARGV: minutes of counter history to return besides the current
-- minute, lease grace ms (an active job whose lease ended longer ago is counted as an expired
-- lease), most live workers to return, most exits to return.
--
-- Returns `{now, jobs, oldest, config, bucket, locks, supervisor, totals, minutes, exits, workers,
-- last event, last emergency stop, last lost}`:
-- - jobs: `{waiting (all levels), delayed, due delayed, active, expired leases, dead, parked,
--   waiting high, waiting low}`;
-- - oldest: `{1, enqueued_at}` when the oldest waiting entry's time is known, `{1, -1}` when it
--   is not, `{0, -1}` when nothing waits;
-- - config: HMGET paused, stop, stop_by, stop_at, stop_reason, concurrency;
-- - bucket: `{rate, per_ms, burst, level as text}` or `{}` when no rate is set;
-- - locks: `{name, ttl ms, HGETALL}` per held lock;
-- - supervisor and totals: HGETALL of the supervisor hash and of the all-time counters;
-- - minutes: HGETALL of each minute's counters, the current minute first;
-- - exits: the newest worker exit records (JSON);
-- - workers: `{consumer id, HGETALL}` per live registry entry, most recent heartbeat first, with
--   the `progress` and `progress_at` of the job it runs added when its current run has reported some;
-- - the newest operator event and the newest emergency stop (JSON), or nil;
-- - last lost: HMGET last_at, last_id, last_state of the queue's lost-job record.

local now = now_ms()
local minute = math.floor(now / 60000)
local levels = waiting_counts()
local jobs = {levels[1] + levels[2] + levels[3], redis.call('ZCARD', K.delayed), redis.call('ZCOUNT', K.delayed, '-inf', now),
  redis.call('ZCARD', K.active), redis.call('ZCOUNT', K.active, '-inf', now - tonumber(ARGV[2])),
  redis.call('ZCARD', K.dead)}
local parked = 0
for _, name in ipairs(redis.call('SMEMBERS', K.parked_names)) do parked = parked + redis.call('LLEN', K.parked .. name) end
jobs[#jobs + 1] = parked
jobs[#jobs + 1] = levels[1]
jobs[#jobs + 1] = levels[3]
-- The oldest waiting job: the earliest of the three levels' next entries (a wake entry skipped).
local oldest = {0, -1}
for _, list in ipairs({K.wait_high, K.wait, K.wait_low}) do
  local tail = redis.call('LINDEX', list, -1)
  if tail == WAKE then tail = redis.call('LINDEX', list, -2) end
  if tail then
    local at = -1
    local compact = string.byte(tail, 1) == 95 and compact_job(tail)
    if compact then
      if type(compact) == 'table' then at = compact.enqueued_at end
    elseif string.byte(tail, 1) == 64 then
      at = tonumber(redis.call('HGET', jobkey(string.sub(tail, 2)), 'enqueued_at')) or -1
    else
      local ok, msg = pcall(cjson.decode, tail)
      if ok and type(msg) == 'table' and type(msg.enqueued_at) == 'number' then at = msg.enqueued_at end
    end
    if oldest[1] == 0 then
      oldest = {1, at}
    elseif at >= 0 and (oldest[2] < 0 or at < oldest[2]) then
      oldest[2] = at
    end
  end
end
local config = redis.call('HMGET', K.config, 'paused', 'stop', 'stop_by', 'stop_at', 'stop_reason', 'concurrency')
local b = redis.call('HMGET', K.config, 'rate', 'per_ms', 'burst', 'tokens', 'at')
local bucket = {}
if b[1] then bucket = {tonumber(b[1]), tonumber(b[2]), tonumber(b[3]), tostring(bucket_level(b, now))} end
local locks = {}
for _, name in ipairs(redis.call('SMEMBERS', K.locks)) do
  local ttl = redis.call('PTTL', K.lock .. name)
  if ttl ~= -2 then locks[#locks + 1] = {name, ttl, redis.call('HGETALL', K.lock .. name)} end
end
local minutes = {}
for i = 0, tonumber(ARGV[1]) do minutes[#minutes + 1] = redis.call('HGETALL', K.minute_stats .. (minute - i)) end
local workers = {}
for _, id in ipairs(redis.call('ZREVRANGE', K.consumers, 0, tonumber(ARGV[3]) - 1)) do
  local fields = redis.call('HGETALL', K.worker .. id)
  if #fields > 0 then
    for i = 1, #fields, 2 do
      if fields[i] == 'job' and fields[i + 1] ~= '' then
        local p = redis.call('HMGET', jobkey(fields[i + 1]), 'progress', 'progress_at', 'started_at')
        -- Only this run's: progress saved before it started is an earlier attempt's.
        if p[1] and (tonumber(p[2]) or 0) >= (tonumber(p[3]) or 0) then
          fields[#fields + 1] = 'progress'
          fields[#fields + 1] = p[1]
          fields[#fields + 1] = 'progress_at'
          fields[#fields + 1] = p[2]
        end
      end
    end
    workers[#workers + 1] = {id, fields}
  end
end
local events = redis.call('LRANGE', K.events, 0, 49)
local last_stop = false
for _, text in ipairs(events) do
  local ok, event = pcall(cjson.decode, text)
  if ok and type(event) == 'table' and event.action == 'emergency-stop' then
    last_stop = text
    break
  end
end
return {now, jobs, oldest, config, bucket, locks, redis.call('HGETALL', K.supervisor), redis.call('HGETALL', K.stats),
  minutes, redis.call('LRANGE', K.exits, 0, tonumber(ARGV[4]) - 1), workers, events[1] or false, last_stop,
  redis.call('HMGET', K.lost, 'last_at', 'last_id', 'last_state')}
