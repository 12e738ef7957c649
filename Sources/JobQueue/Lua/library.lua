-- The Lua every script of a queue shares.
--
-- Where it runs: on Redis 7 and later this file and every script beside it form one Redis
-- function library (loaded once, with FUNCTION LOAD, on first use); each script becomes a
-- function of that library, and the functions below are defined once, at load. On older servers
-- each script runs with EVALSHA as this file followed by the script.
--
-- Keys: every script gets KEYS[1] = 'jobq:{QUEUE}:', the prefix of the queue's keys (the braces
-- make QUEUE the Redis Cluster hash tag: all of a queue's keys live in one slot). Before a script
-- runs, K is set so that K.<name> is that prefix followed by the suffix QueueKeys (Swift) gives
-- the key: K.wait, K.active, K.job (the prefix of job hashes) ... KEY_SUFFIXES, the table of
-- those suffixes, is written by QueueKeys ahead of this file, so key names have one source.
--
-- Times are milliseconds since the epoch from Redis TIME, never from a client's clock.

-- Dead letters kept unless the queue's config hash says otherwise (dead_max_count, dead_max_age_ms).
local DEAD_LETTER_MAX_COUNT = 10000
local DEAD_LETTER_MAX_AGE_MS = 7 * 24 * 3600 * 1000
-- Completed jobs are kept (the history) only when the queue's config hash sets history_max_count
-- above 0; history_max_age_ms, when unset, is this.
local HISTORY_MAX_AGE_MS = 24 * 3600 * 1000
-- How much of a malformed message's raw text is kept with its dead letter.
local MALFORMED_KEEP_BYTES = 65536
-- How long per-minute counters are kept: two hours.
local MINUTE_STATS_TTL_MS = 2 * 3600 * 1000

-- The key names of the queue a script runs on: see the top of this file.
local K
local key_names = {
  __index = function(keys, name)
    local key = keys[1] .. KEY_SUFFIXES[name]
    rawset(keys, name, key)
    return key
  end
}

-- The key tables of the queues seen: a function library keeps its locals from call to call, so a
-- queue's key names are built once, not on every call (with EVALSHA each call starts afresh).
-- Emptied when it holds BOUND_QUEUES_MAX queues, so a server with many queues keeps it small.
local BOUND_QUEUES_MAX = 1000
local bound, bound_count = {}, 0

-- Points K at the keys of the queue whose prefix is `prefix`; names are built when first used.
local function bind_keys(prefix)
  K = bound[prefix]
  if K then return end
  if bound_count >= BOUND_QUEUES_MAX then bound, bound_count = {}, 0 end
  K = setmetatable({prefix}, key_names)
  bound[prefix], bound_count = K, bound_count + 1
end

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function jobkey(id) return K.job .. id end

-- Adds n to a counter, all-time and in the current minute's bucket (kept two hours). Numbers go to
-- Redis as text formatted here with '%d': a Lua number passed as it is, or joined to a string, is
-- formatted as a float, which costs more.
local function count(now, field, n)
  local by = string.format('%d', n)
  redis.call('HINCRBY', K.stats, field, by)
  local bucket = K.minute_stats .. string.format('%d', math.floor(now / 60000))
  if redis.call('HINCRBY', bucket, field, by) == n then
    redis.call('PEXPIRE', bucket, MINUTE_STATS_TTL_MS)
  end
end

-- A job whose hash is gone although an entry still names it: Redis evicted the hash (a
-- maxmemory-policy other than noeviction) or something deleted it. Nothing is left to run, so the
-- caller drops the entry; here the job is counted as lost (counter `lost`) and remembered as the
-- last one lost (K.lost: last_at, last_id, last_state = waiting, delayed, running or dead). No
-- dead letter is written: it would take memory from a Redis that has none to spare.
local function count_lost(id, state, now)
  count(now, 'lost', 1)
  redis.call('HSET', K.lost, 'last_at', now, 'last_id', id, 'last_state', state)
end

local function release_unique(unique, id)
  if unique then
    local uk = K.unique .. unique
    if redis.call('GET', uk) == id then redis.call('DEL', uk) end
  end
end

-- Priorities. Each level has its waiting list: K.wait_high, K.wait (normal: what any client's
-- plain LPUSH feeds) and K.wait_low. A job's level is its hash's `priority` field ('high' or 'low';
-- absent: normal).
local function wait_list(priority)
  if priority == 'high' then return K.wait_high end
  if priority == 'low' then return K.wait_low end
  return K.wait
end

-- The entry put on the normal waiting list to wake a consumer blocked on it (BLMOVE) when a job
-- starts waiting on another level while the normal list is empty. The reserve step drops it; it is
-- not a job and is not counted as one.
local WAKE = '!'

-- Puts `entry` (`@<id>` or a message) on the waiting list of `priority`: at the back (LPUSH), or at
-- the front with `front` (RPUSH: taken next). Consumers block on the normal list only, and only
-- when it is empty: so a wake entry is pushed there first when it is empty and the job goes to
-- another level (one at most: once it is there the list is not empty; take_waiting passes it on).
local function push_waiting(entry, priority, front)
  local list = wait_list(priority)
  if list ~= K.wait and redis.call('LLEN', K.wait) == 0 then redis.call('RPUSH', K.wait, WAKE) end
  -- An entry put at the front of the normal list replaces a wake entry there (it wakes a consumer as
  -- well): a wake entry is never buried under entries, so counting it needs only the list's end.
  if front and list == K.wait and redis.call('LINDEX', K.wait, -1) == WAKE then redis.call('RPOP', K.wait) end
  redis.call(front and 'RPUSH' or 'LPUSH', list, entry)
end

-- Jobs waiting on the three levels; `{high, normal, low}` counts (a wake entry is not a job: one
-- can be only among the newest few entries of the normal list's taking end).
local function waiting_counts()
  local normal = redis.call('LLEN', K.wait)
  if normal > 0 then
    for _, entry in ipairs(redis.call('LRANGE', K.wait, -5, -1)) do
      if entry == WAKE then normal = normal - 1 end
    end
  end
  return {redis.call('LLEN', K.wait_high), normal, redis.call('LLEN', K.wait_low)}
end

-- Keeps the finished jobs indexed in sorted set `set` (scored by finish time) bounded by age and
-- count, at most 100 of each per call (every call that adds one trims, so it keeps up). Trimming
-- deletes the job hashes too, unless the hash is no longer a finished job in `state` (an id reused
-- since: then only the index entry goes). Returns how many entries it removed.
local function trim_finished(set, state, now, max_count, max_age)
  local function forget(id)
    local h = jobkey(id)
    if redis.call('HGET', h, 'state') == state then redis.call('DEL', h) end
  end
  local old = redis.call('ZRANGEBYSCORE', set, '-inf', now - max_age, 'LIMIT', 0, 100)
  for _, id in ipairs(old) do
    forget(id)
    redis.call('ZREM', set, id)
  end
  local removed = #old
  local over = redis.call('ZCARD', set) - max_count
  if over > 0 then
    local popped = redis.call('ZPOPMIN', set, math.min(over, 100))
    for i = 1, #popped, 2 do forget(popped[i]) end
    removed = removed + #popped / 2
  end
  return removed
end

-- Keeps dead letters bounded by age and count; trimming deletes the job hashes too.
local function trim_dead(now)
  local cfg = redis.call('HMGET', K.config, 'dead_max_count', 'dead_max_age_ms')
  trim_finished(K.dead, 'dead', now, tonumber(cfg[1]) or DEAD_LETTER_MAX_COUNT, tonumber(cfg[2]) or DEAD_LETTER_MAX_AGE_MS)
end

-- Keeps the history bounded by the queue's retention, when it keeps one.
local function trim_history(now)
  local cfg = redis.call('HMGET', K.config, 'history_max_count', 'history_max_age_ms')
  local max_count = tonumber(cfg[1]) or 0
  if max_count > 0 then
    trim_finished(K.completed, 'completed', now, max_count, tonumber(cfg[2]) or HISTORY_MAX_AGE_MS)
  end
end

-- Records on a finished job's hash where its last run ran: the host and pid of the worker
-- registry entry of consumer `owner` (kept while the consumer heartbeats), when there is one.
local function note_worker(h, owner)
  if not owner then return end
  local w = redis.call('HMGET', K.worker .. owner, 'host', 'pid')
  if w[1] then redis.call('HSET', h, 'host', w[1], 'pid', w[2] or '') end
end

-- Keeps a job that just completed in the queue's history, when its settings ask for one
-- (history_max_count > 0): state `completed`, `finished_at`, the worker's host and pid, and
-- `result` and `progress` (the run's last, JSON; without one, what this run saved before) unless
-- empty; indexed in K.completed and trimmed like dead letters. Returns false when no history is
-- kept: the caller deletes the job.
local function keep_completed(h, id, owner, result, progress, now)
  local cfg = redis.call('HMGET', K.config, 'history_max_count', 'history_max_age_ms')
  local max_count = tonumber(cfg[1]) or 0
  if max_count <= 0 then return false end
  redis.call('HSET', h, 'state', 'completed', 'finished_at', now)
  redis.call('HDEL', h, 'token', 'lease_until', 'leases')
  if result ~= '' then redis.call('HSET', h, 'result', result) end
  if progress ~= '' then
    redis.call('HSET', h, 'progress', progress, 'progress_at', now)
  else
    -- Progress saved during this run (with a lease extension) stays; what an earlier, failed run
    -- reported (saved before this run started) is not this run's.
    local p = redis.call('HMGET', h, 'progress_at', 'started_at')
    if p[1] and (tonumber(p[1]) or 0) < (tonumber(p[2]) or 0) then redis.call('HDEL', h, 'progress', 'progress_at') end
  end
  note_worker(h, owner)
  redis.call('ZADD', K.completed, now, id)
  trim_finished(K.completed, 'completed', now, max_count, tonumber(cfg[2]) or HISTORY_MAX_AGE_MS)
  return true
end

-- Deletes the record of completed job `id` (hash `h`) kept in the history, and its index entry.
local function forget_completed(id, h)
  redis.call('DEL', h)
  redis.call('ZREM', K.completed, id)
end

-- Whether job id `id` (hash `h`) is taken. A completed job kept in the history does not hold its
-- id: it is forgotten here (hash and index entry), so turning history on never refuses a job that
-- would be accepted without it.
local function id_taken(id, h)
  local state = redis.call('HGET', h, 'state')
  if state == 'completed' then
    forget_completed(id, h)
    return false
  end
  return state ~= false and state ~= nil
end

-- Compact waiting jobs. A job enqueued without an id gets one from the queue's counter (K.seq):
-- `_<n>`, a form explicit ids may not take. When it needs nothing beyond the basics (no unique key,
-- limiter, concurrency key or delay) and its record fits in COMPACT_RECORD_MAX_BYTES, it waits
-- without a hash of its own: its record is field `n mod 100` of the bucket hash
-- `K.job_bucket .. floor(n / 100)`, shared by 100 consecutive ids, and its waiting entry is the id
-- itself. A bucket stays in Redis's compact listpack encoding (hash-max-listpack-entries 128,
-- hash-max-listpack-value 64 by default), so a job costs its record and a few bytes more. The
-- reserve step (admit) expands the record into the usual job hash and deletes the field; from then
-- on the job is like any other. A cancelled compact job's field holds COMPACT_CANCELLED until its
-- entry is taken; a field that is gone while its entry waits was evicted (the job is counted lost).
local COMPACT_RECORD_MAX_BYTES = 64
local COMPACT_CANCELLED = 'x'

-- The digits of a generated id `_<n>`, or nil for any other id.
local function generated_digits(id)
  return string.match(id, '^_(%d+)$')
end

-- The bucket hash and field of the compact record of generated id number `digits` (a string): a
-- bucket per 100 ids, named by the digits but the last two, which name the field (as a number
-- does, without a leading zero: '7', not '07').
local function compact_slot(digits)
  local bucket = #digits > 2 and string.sub(digits, 1, -3) or '0'
  local field = string.sub(digits, -2)
  if #field == 2 and string.byte(field, 1) == 48 then field = string.sub(field, 2) end
  return K.job_bucket .. bucket, field
end

-- The last number base36 wrote and its text: the jobs of one batch, and calls in the same
-- millisecond, share their enqueued_at.
local base36_of, base36_text

local function base36(n)
  if n == base36_of then return base36_text end
  local n0, digits, text = n, '0123456789abcdefghijklmnopqrstuvwxyz', ''
  repeat
    local d = n % 36
    text = string.sub(digits, d + 1, d + 1) .. text
    n = (n - d) / 36
  until n == 0
  base36_of, base36_text = n0, text
  return text
end

-- A compact record: priority letter (h, n, l), enqueued_at in base 36, '|', max_attempts, '|',
-- type ('' for 'default'), '|', payload. nil when it does not fit or the type holds a '|'.
local function compact_record(now, payload, jtype, attempts, priority)
  if string.find(jtype, '|', 1, true) then return nil end
  local record = (priority == 'high' and 'h' or priority == 'low' and 'l' or 'n') .. base36(now) .. '|' .. attempts
    .. '|' .. (jtype == 'default' and '' or jtype) .. '|' .. payload
  if #record > COMPACT_RECORD_MAX_BYTES then return nil end
  return record
end

-- The fields of a compact record as a job hash holds them: {payload, type, max_attempts,
-- enqueued_at, priority ('high', 'low' or false)}; nil for a cancelled one.
local function compact_fields(record)
  local level, at, attempts, jtype, payload = string.match(record, '^([hnl])(%w+)|(%d+)|([^|]*)|(.*)$')
  if not level then return nil end
  return {payload = payload, type = jtype == '' and 'default' or jtype, max_attempts = tonumber(attempts),
    enqueued_at = tonumber(at, 36), priority = level == 'h' and 'high' or level == 'l' and 'low' or false}
end

-- The compact record of waiting job `id`: its fields (see compact_fields), 'cancelled', or nil when
-- the id is not a generated one or has no compact record.
local function compact_job(id)
  local digits = generated_digits(id)
  if not digits then return nil end
  local bucket, field = compact_slot(digits)
  local record = redis.call('HGET', bucket, field)
  if not record then return nil end
  return compact_fields(record) or 'cancelled'
end

-- A new generated id and its digits: the next number of K.seq whose id names no job hash (none
-- does unless the counter was lost and started over; the caller checks the compact slot).
local function new_generated_id()
  while true do
    local digits = string.format('%d', redis.call('INCR', K.seq))
    local id = '_' .. digits
    if redis.call('EXISTS', jobkey(id)) == 0 then return id, digits end
  end
end

-- Writes a new job: its hash, its unique key and its waiting-list or delayed entry. The one way
-- jobq itself adds a job (enqueue.lua, and the ticks of schedules), so every job it adds has the
-- same record. `delay` is in ms (0: ready now); `unique`, `limiter`, `concurrency_key` and
-- `priority` are '' (or nil) for none. Returns nil when the job was added (the caller counts it),
-- else the refusal: {'exists', id} when a job with this id exists (a completed job kept in the
-- history does not count: its record is replaced), {'duplicate', id of the holder} when a waiting,
-- delayed or running job holds the unique key.
local function add_job(now, id, payload, jtype, attempts, delay, unique, limiter, concurrency_key, priority)
  priority = priority or ''
  local h = jobkey(id)
  -- A kept completed record goes only once the job is accepted: a refused job changes nothing.
  local existing = redis.call('HGET', h, 'state')
  if existing and existing ~= 'completed' then return {'exists', id} end
  if unique ~= '' then
    local uk = K.unique .. unique
    local holder = redis.call('GET', uk)
    if holder then
      local state = redis.call('HGET', jobkey(holder), 'state')
      if state == 'waiting' or state == 'delayed' or state == 'active' then return {'duplicate', holder} end
    end
    redis.call('SET', uk, id)
  end
  if existing then forget_completed(id, h) end
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
  return nil
end

-- Adds a job without an id of its own (enqueue.lua): the id is generated (`_<n>`). A job with no
-- unique key, limiter, concurrency key or delay whose record fits waits in compact form (see
-- above); any other is written by add_job. Returns the id and add_job's refusal (or nil).
local function add_generated_job(now, payload, jtype, attempts, delay, unique, limiter, concurrency_key, priority)
  local record = nil
  if delay <= 0 and unique == '' and limiter == '' and concurrency_key == '' then
    record = compact_record(now, payload, jtype, attempts, priority)
  end
  -- An id whose compact slot is taken (the counter started over) is skipped like one with a hash.
  while true do
    local id, digits = new_generated_id()
    local bucket, field = compact_slot(digits)
    if record then
      if redis.call('HSETNX', bucket, field, record) == 1 then
        push_waiting(id, priority)
        return id, nil
      end
    elseif redis.call('HEXISTS', bucket, field) == 0 then
      return id, add_job(now, id, payload, jtype, attempts, delay, unique, limiter, concurrency_key, priority)
    end
  end
end

local function dead_letter(h, id, reason, now)
  redis.call('HSET', h, 'state', 'dead', 'dead_reason', reason, 'dead_at', now)
  note_worker(h, redis.call('HGET', h, 'owner'))
  redis.call('HDEL', h, 'token', 'lease_until', 'due_at')
  redis.call('ZREM', K.active, id)
  redis.call('ZREM', K.delayed, id)
  redis.call('ZADD', K.dead, now, id)
  release_unique(redis.call('HGET', h, 'unique'), id)
  count(now, 'dead', 1)
  trim_dead(now)
end

-- A message that is not a valid job: kept (up to a limit) as a dead letter under a new id.
local function dead_letter_raw(raw, reason, now)
  local id = 'malformed-' .. redis.call('INCR', K.seq)
  redis.call('HSET', jobkey(id), 'body', string.sub(raw, 1, MALFORMED_KEEP_BYTES), 'body_bytes', #raw,
    'state', 'dead', 'type', 'malformed', 'attempts', 0, 'crashes', 0, 'max_attempts', 0,
    'enqueued_at', now, 'dead_reason', reason, 'dead_at', now)
  redis.call('ZADD', K.dead, now, id)
  count(now, 'dead', 1)
  count(now, 'malformed', 1)
  trim_dead(now)
  return id
end

-- Checks a message pushed by any client. Returns the decoded table, or nil and the reason.
local function validate(raw, max_bytes)
  if #raw > max_bytes then
    return nil, 'malformed: message of ' .. #raw .. ' bytes is over the limit of ' .. max_bytes
  end
  local ok, msg = pcall(cjson.decode, raw)
  if not ok then return nil, 'malformed: not valid JSON' end
  if type(msg) ~= 'table' then return nil, 'malformed: not a JSON object' end
  if msg[1] ~= nil then return nil, 'malformed: a JSON array, not an object' end
  if msg.payload == nil then return nil, 'malformed: no "payload" field' end
  local id = msg.id
  if id ~= nil and (type(id) ~= 'string' or id == '' or #id > 200 or string.find(id, '[%c]') or string.sub(id, 1, 1) == '@'
      or generated_digits(id)) then
    return nil, 'malformed: "id" must be a string of 1 to 200 characters, not starting with @ and not _ and digits only'
  end
  if msg.type ~= nil and (type(msg.type) ~= 'string' or msg.type == '' or #msg.type > 200) then
    return nil, 'malformed: "type" must be a string of 1 to 200 characters'
  end
  local attempts = msg.max_attempts
  if attempts ~= nil and (type(attempts) ~= 'number' or attempts < 1 or attempts > 1000 or attempts ~= math.floor(attempts)) then
    return nil, 'malformed: "max_attempts" must be a whole number from 1 to 1000'
  end
  for _, field in ipairs({'limiter', 'concurrency_key'}) do
    local v = msg[field]
    if v ~= nil and (type(v) ~= 'string' or v == '' or #v > 200 or string.find(v, '[%s%c]')) then
      return nil, 'malformed: "' .. field .. '" must be a string of 1 to 200 characters without spaces'
    end
  end
  if msg.priority ~= nil and msg.priority ~= 'high' and msg.priority ~= 'normal' and msg.priority ~= 'low' then
    return nil, 'malformed: "priority" must be "high", "normal" or "low"'
  end
  if msg.enqueued_at ~= nil and type(msg.enqueued_at) ~= 'number' then
    return nil, 'malformed: "enqueued_at" must be a number (ms since the epoch)'
  end
  return msg
end

-- Reads a waiting-list entry (`@<id>`, a compact job's id `_<n>`, or a message). Returns the job
-- id, its hash key and its fields {state, attempts, leases, body, crashes, max_attempts,
-- enqueued_at, type, limiter, concurrency_key, payload}: a job a client pushed keeps its message as
-- `body`; a job jobq enqueued keeps only its `payload` (the client rebuilds the message), which
-- keeps small jobs' hashes compact; a compact job's record becomes its hash here, written by the
-- caller: the fourth result lists the hash's fields (all but `state`) for the caller to write in
-- the same HSET as the lease (nil when the hash exists). Nothing when the entry is not runnable (a
-- cancelled tombstone, a lost record, or malformed: dealt with here). `records`, when given, holds
-- the compact records already taken from their buckets (take_compact_records, batch-library.lua),
-- by entry.
local function admit(entry, now, max_bytes, default_attempts, records)
  local id, h, f
  if entry == WAKE then return nil end
  local digits = string.byte(entry, 1) == 95 and generated_digits(entry)
  if digits then
    -- A compact job: its record becomes its hash (see compact_record).
    id = entry
    local record
    if records and records[entry] ~= nil then
      -- Taken once: the same entry twice finds its record gone the second time, as one at a time.
      record, records[entry] = records[entry], false
    else
      local bucket, field = compact_slot(digits)
      record = redis.call('HGET', bucket, field)
      if record then redis.call('HDEL', bucket, field) end
    end
    if not record then
      count_lost(id, 'waiting', now)
      return nil
    end
    local c = compact_fields(record)
    if not c then return nil end
    h = jobkey(id)
    local fields = {'payload', c.payload, 'type', c.type, 'max_attempts', c.max_attempts, 'enqueued_at', c.enqueued_at}
    if c.priority then
      fields[#fields + 1] = 'priority'
      fields[#fields + 1] = c.priority
    end
    return id, h, {'waiting', false, false, false, false, c.max_attempts, c.enqueued_at, c.type, false, false, c.payload}, fields
  end
  if string.byte(entry, 1) == 64 then
    id = string.sub(entry, 2)
    h = jobkey(id)
    f = redis.call('HMGET', h, 'state', 'attempts', 'leases', 'body', 'crashes', 'max_attempts', 'enqueued_at',
      'type', 'limiter', 'concurrency_key', 'payload')
    if f[1] ~= 'waiting' then
      if f[1] == 'cancelled' then
        redis.call('DEL', h)
      elseif not f[1] then
        count_lost(id, 'waiting', now)
      else
        count(now, 'orphaned', 1)
      end
      return nil
    end
    return id, h, f
  end
  local msg, reason = validate(entry, max_bytes)
  if not msg then
    dead_letter_raw(entry, reason, now)
    return nil
  end
  id = msg.id or ('ext-' .. redis.call('INCR', K.seq))
  h = jobkey(id)
  if id_taken(id, h) then
    dead_letter_raw(entry, 'malformed: a job with id "' .. id .. '" already exists', now)
    return nil
  end
  f = {'waiting', 0, 0, entry, 0, msg.max_attempts or default_attempts, msg.enqueued_at or now,
    msg.type or 'default', msg.limiter or false, msg.concurrency_key or false, false}
  redis.call('HSET', h, 'state', 'waiting', 'body', entry, 'crashes', 0, 'max_attempts', f[6], 'type', f[8],
    'enqueued_at', f[7])
  if f[9] then redis.call('HSET', h, 'limiter', f[9]) end
  if f[10] then redis.call('HSET', h, 'concurrency_key', f[10]) end
  if msg.priority == 'high' or msg.priority == 'low' then redis.call('HSET', h, 'priority', msg.priority) end
  return id, h, f
end

-- A token bucket's level now: refilled at rate per period since it was last used, at most
-- `burst`. `b` is HMGET rate, per_ms, burst, tokens, at.
local function bucket_level(b, now)
  local rate, per, burst = tonumber(b[1]), tonumber(b[2]), tonumber(b[3])
  local tokens = tonumber(b[4]) or burst
  local at = tonumber(b[5]) or now
  if now > at then tokens = math.min(burst, tokens + (now - at) * rate / per) end
  return tokens, rate, per
end

-- Milliseconds until a bucket has a whole token (0: it has one now), and whether a limit is
-- set at all. `b` is HMGET rate, per_ms, burst, tokens, at of the bucket's hash.
local function bucket_wait(b, now)
  if not b[1] then return 0, false end
  local tokens, rate, per = bucket_level(b, now)
  if tokens >= 1 then return 0, true end
  return math.max(1, math.ceil((1 - tokens) * per / rate)), true
end

-- Takes a token from the bucket in hash `key` whose fields were read into `b`.
local function bucket_take(key, b, now)
  redis.call('HSET', key, 'tokens', bucket_level(b, now) - 1, 'at', now)
end

-- Takes lock `name` for `owner` for `ttl` ms unless it is held. Returns the lock's next
-- fencing token (a number that only grows), or nil when the lock is held.
local function lock_acquire(name, owner, ttl, holder, job, now)
  local key = K.lock .. name
  if redis.call('EXISTS', key) == 1 then return nil end
  local fencing = redis.call('INCR', K.fence .. name)
  redis.call('HSET', key, 'owner', owner, 'holder', holder, 'job', job, 'acquired_at', now, 'fencing', fencing)
  redis.call('PEXPIRE', key, ttl)
  redis.call('SADD', K.locks, name)
  return fencing
end

local function lock_renew(name, owner, ttl)
  local key = K.lock .. name
  if redis.call('HGET', key, 'owner') ~= owner then return false end
  redis.call('PEXPIRE', key, ttl)
  return true
end

-- Lets one job parked behind lock `name` wait again, if the lock is free.
local function unpark(name)
  if redis.call('EXISTS', K.lock .. name) == 1 then return end
  local entry = redis.call('RPOP', K.parked .. name)
  if entry then push_waiting(entry, redis.call('HGET', jobkey(string.sub(entry, 2)), 'priority'), true) end
  if redis.call('EXISTS', K.parked .. name) == 0 then redis.call('SREM', K.parked_names, name) end
end

local function lock_release(name, owner)
  local key = K.lock .. name
  if redis.call('HGET', key, 'owner') == owner then redis.call('DEL', key) end
  unpark(name)
end

-- Releases the locks a run holds: the space-separated names in `locks`, owned by `token`.
local function release_job_locks(h, locks, token)
  if locks and locks ~= '' then
    for name in string.gmatch(locks, '[^ ]+') do lock_release(name, token) end
    redis.call('HDEL', h, 'locks', 'fencing')
  end
end

-- The names of the locks `token` owns, for a run whose hash (which lists them) is gone: found in
-- the queue's lock names, each checked for its owner. Names whose lock no longer exists are
-- forgotten on the way, as lock-list.lua does.
local function token_locks(token)
  local names = {}
  for _, name in ipairs(redis.call('SMEMBERS', K.locks)) do
    local owner = redis.call('HGET', K.lock .. name, 'owner')
    if owner == token then
      names[#names + 1] = name
    elseif not owner then
      redis.call('SREM', K.locks, name)
    end
  end
  return names
end

-- The first free concurrency slot of the queue (1...limit), or nil when all are held.
local function free_slot(limit)
  for i = 1, limit do
    if redis.call('EXISTS', K.lock .. 'slot:' .. i) == 0 then return i end
  end
  return nil
end

-- Moves due delayed jobs to the waiting list.
local function promote_due(now, limit)
  local due = redis.call('ZRANGEBYSCORE', K.delayed, '-inf', now, 'LIMIT', 0, limit)
  for _, id in ipairs(due) do
    redis.call('ZREM', K.delayed, id)
    local h = jobkey(id)
    local f = redis.call('HMGET', h, 'state', 'priority')
    local state = f[1]
    if state == 'delayed' then
      redis.call('HSET', h, 'state', 'waiting')
      redis.call('HDEL', h, 'due_at')
      push_waiting('@' .. id, f[2])
    elseif not state then
      count_lost(id, 'delayed', now)
    end
  end
  return #due
end

-- Milliseconds until the next delayed job is due, or -1 when none is delayed.
local function next_due_in(now)
  local first = redis.call('ZRANGE', K.delayed, 0, 0, 'WITHSCORES')
  if first[2] then return math.max(0, tonumber(first[2]) - now) end
  return -1
end

-- Gives back what a consumer fetched with BLMOVE but may not run now.
local function hand_back(consumer)
  local claim_list = K.claim .. consumer
  local entry = redis.call('RPOP', claim_list)
  while entry do
    push_waiting(entry, 'normal', true)
    entry = redis.call('RPOP', claim_list)
  end
end

-- Anti-starvation: a lower level with jobs waiting gets the next job once this many jobs in a row
-- were taken from the levels above it while it waited.
local STARVATION_LIMIT = 10

-- Takes the next waiting entry, highest level first, for consumer `consumer` whose claim list holds
-- what its BLMOVE fetched from the normal list when `fetched` is '1'. Strict order between levels,
-- except the anti-starvation rule; the skips are counted in K.priority (fields `normal`, `low`).
-- Returns the entry (false when nothing waits) and the fetched flag for the next call.
local function take_waiting(consumer, fetched)
  local claim_list = K.claim .. consumer
  if redis.call('EXISTS', K.wait_high, K.wait_low, K.priority) == 0 then
    -- No job waits on another level and no count is left to end: the normal list alone, as
    -- without priorities.
    if fetched == '1' then
      local entry = redis.call('RPOP', claim_list)
      if entry then return entry, '1' end
    end
    return redis.call('RPOP', K.wait), '0'
  end
  local high, low = redis.call('LLEN', K.wait_high), redis.call('LLEN', K.wait_low)
  -- Wake entries are not jobs: drop the ones about to be taken, so they neither take the normal
  -- level's turn nor count as its jobs.
  if fetched == '1' and redis.call('LINDEX', claim_list, -1) == WAKE then redis.call('RPOP', claim_list) end
  while redis.call('LINDEX', K.wait, -1) == WAKE do redis.call('RPOP', K.wait) end
  local normal = redis.call('LLEN', K.wait)
  if fetched == '1' then normal = normal + redis.call('LLEN', claim_list) end
  local skipped = redis.call('HMGET', K.priority, 'normal', 'low')
  local normal_skipped, low_skipped = tonumber(skipped[1]) or 0, tonumber(skipped[2]) or 0
  local level = 'high'
  if low > 0 and (high + normal == 0 or low_skipped >= STARVATION_LIMIT) then
    level = 'low'
  elseif normal > 0 and (high == 0 or normal_skipped >= STARVATION_LIMIT) then
    level = 'normal'
  end
  if level == 'high' and normal > 0 then redis.call('HINCRBY', K.priority, 'normal', 1) end
  if level ~= 'low' and low > 0 then redis.call('HINCRBY', K.priority, 'low', 1) end
  -- A level's count starts over when it gets a job, or has none waiting any more.
  if (level == 'normal' or normal == 0) and normal_skipped > 0 then redis.call('HDEL', K.priority, 'normal') end
  if (level == 'low' or low == 0) and low_skipped > 0 then redis.call('HDEL', K.priority, 'low') end
  local entry
  if level == 'normal' then
    if fetched == '1' then entry = redis.call('RPOP', claim_list) end
    if entry then fetched = '1' else entry, fetched = redis.call('RPOP', K.wait), '0' end
  else
    if fetched == '1' then hand_back(consumer) end
    entry, fetched = redis.call('RPOP', wait_list(level)), '0'
    if level == 'high' then high = high - 1 else low = low - 1 end
  end
  -- One wake entry wakes one blocked consumer: while jobs still wait on another level and the
  -- normal list is empty, pass the wake on, so a batch of high or low jobs wakes every idle
  -- consumer in turn rather than one.
  if high + low > 0 and redis.call('LLEN', K.wait) == 0 then redis.call('RPUSH', K.wait, WAKE) end
  return entry, fetched
end

-- Leases the job of waiting entry `entry` (taken off its list) to `consumer`, or deals with an entry
-- that cannot run now: admits it (see admit), then checks its limiter's bucket (no token: the job
-- is delayed until there is one) and its concurrency key's lock (held: the job is parked until it
-- is released). `slot` is the free concurrency slot to take (nil: the queue has no limit), `cfg`
-- the queue's config read with its bucket (taken from when `queue_limited`); `records` as for
-- admit. Writes the job's hash (admitted fields and lease in one HSET) but leaves its deadline in
-- K.active (now + lease_ms) to the caller. Returns the job reply (see reserve), or nil.
local function lease_entry(entry, consumer, now, lease_ms, max_bytes, default_attempts, slot, cfg, queue_limited, records)
  local id, h, f, fields = admit(entry, now, max_bytes, default_attempts, records)
  if id == nil then return nil end
  fields = fields or {}
  local runnable = true
  local limiter = nil
  if f[9] then
    limiter = redis.call('HMGET', K.key_limit .. f[9], 'rate', 'per_ms', 'burst', 'tokens', 'at')
    local wait = bucket_wait(limiter, now)
    if wait > 0 then
      redis.call('HSET', h, 'state', 'delayed', 'due_at', now + wait, unpack(fields))
      redis.call('ZADD', K.delayed, now + wait, id)
      runnable = false
    end
  end
  if runnable and f[10] and redis.call('EXISTS', K.lock .. 'key:' .. f[10]) == 1 then
    redis.call('HSET', h, 'state', 'waiting', unpack(fields))
    redis.call('LPUSH', K.parked .. 'key:' .. f[10], '@' .. id)
    redis.call('SADD', K.parked_names, 'key:' .. f[10])
    runnable = false
  end
  if not runnable then return nil end
  local leases = (tonumber(f[3]) or 0) + 1
  local attempts = (tonumber(f[2]) or 0) + 1
  local token = consumer .. '/' .. leases
  local n = #fields
  for i, v in ipairs({'state', 'active', 'attempts', attempts, 'leases', leases, 'owner', consumer,
      'token', token, 'started_at', now, 'lease_until', now + lease_ms}) do
    fields[n + i] = v
  end
  local locks, fencing = {}, 0
  if slot then
    fencing = lock_acquire('slot:' .. slot, token, lease_ms, consumer, id, now)
    locks[#locks + 1] = 'slot:' .. slot
  end
  if f[10] then
    fencing = lock_acquire('key:' .. f[10], token, lease_ms, consumer, id, now)
    locks[#locks + 1] = 'key:' .. f[10]
  end
  if #locks > 0 then
    fields[#fields + 1] = 'locks'
    fields[#fields + 1] = table.concat(locks, ' ')
    fields[#fields + 1] = 'fencing'
    fields[#fields + 1] = fencing
  end
  if queue_limited then bucket_take(K.config, cfg, now) end
  if limiter and limiter[1] then bucket_take(K.key_limit .. f[9], limiter, now) end
  redis.call('HSET', h, unpack(fields))
  return {'job', id, f[4], attempts, token, tonumber(f[5]) or 0, tonumber(f[6]) or default_attempts,
    tonumber(f[7]) or now, f[8] or 'default', now, fencing, f[11], f[9], f[10]}
end

-- The reserve step. `fetched` is '1' when the consumer's BLMOVE just moved an entry into its
-- claim list; `promote` is '1' to move due delayed jobs to the waiting list first (consumers
-- ask for it at most every 100 ms while busy, and always before they wait). Checks, in order: paused; the queue's token bucket; a free concurrency slot.
-- Then per job: its limiter's bucket (no token: the job is delayed until there is one) and
-- its concurrency key's lock (held: the job is parked until it is released). Replies:
--   {'job', id, body or false, attempt, token, crashes, max_attempts, enqueued_at, type, now,
--    fencing, payload or false, limiter or false, concurrency key or false}
--   {'empty', ms until the next delayed job or -1}
--   {'paused'}
--   {'throttled', ms until the queue's bucket has a token}
--   {'saturated'}   (every concurrency slot is held)
--   {'busy'}        (skipped many unrunnable entries; call again)
local function reserve(consumer, fetched, promote, now, lease_ms, max_bytes, default_attempts)
  if promote == '1' then promote_due(now, 100) end
  -- The queue's own bucket lives in its config hash: one read for every setting.
  local cfg = redis.call('HMGET', K.config, 'rate', 'per_ms', 'burst', 'tokens', 'at', 'paused', 'concurrency')
  local refusal = nil
  local queue_wait, queue_limited = bucket_wait(cfg, now)
  local slot = nil
  if cfg[6] == '1' then
    refusal = {'paused'}
  elseif queue_wait > 0 then
    refusal = {'throttled', queue_wait}
  elseif cfg[7] then
    slot = free_slot(tonumber(cfg[7]))
    if not slot then refusal = {'saturated'} end
  end
  if refusal then
    if fetched == '1' then hand_back(consumer) end
    return refusal
  end
  for _ = 1, 100 do
    local entry
    entry, fetched = take_waiting(consumer, fetched)
    if not entry then return {'empty', next_due_in(now)} end
    local reply = lease_entry(entry, consumer, now, lease_ms, max_bytes, default_attempts, slot, cfg, queue_limited)
    if reply then
      redis.call('ZADD', K.active, now + lease_ms, reply[2])
      return reply
    end
  end
  return {'busy'}
end

-- Puts a running job back after its worker died or its lease expired. Counts a crash with its
-- cause; quarantines it as poison after `poison_after` crashes (0: never), dead-letters it when
-- it has no attempts left, else it waits again at the back of the queue. Returns 'requeued',
-- 'poison', 'dead', 'lost' (its hash is gone: counted lost) or 'skipped' (not running).
local function recover_crashed(id, now, cause, poison_after)
  local h = jobkey(id)
  local f = redis.call('HMGET', h, 'state', 'attempts', 'max_attempts', 'locks', 'token', 'priority')
  if f[1] ~= 'active' then
    if redis.call('ZREM', K.active, id) == 1 and not f[1] then
      count_lost(id, 'running', now)
      return 'lost'
    end
    return 'skipped'
  end
  release_job_locks(h, f[4], f[5])
  local crashes = redis.call('HINCRBY', h, 'crashes', 1)
  redis.call('HSET', h, 'last_error', cause, 'last_crash', cause, 'last_crash_at', now)
  count(now, 'crashed', 1)
  if poison_after > 0 and crashes >= poison_after then
    dead_letter(h, id, 'poison: killed the worker ' .. crashes .. ' times (' .. cause .. ')', now)
    count(now, 'poison', 1)
    return 'poison'
  end
  if tonumber(f[2]) >= tonumber(f[3]) then
    dead_letter(h, id, 'crashed on its last attempt (' .. cause .. ')', now)
    return 'dead'
  end
  redis.call('ZREM', K.active, id)
  redis.call('HSET', h, 'state', 'waiting')
  redis.call('HDEL', h, 'owner', 'token', 'lease_until')
  push_waiting('@' .. id, f[6])
  count(now, 'retried', 1)
  return 'requeued'
end

-- True when `token` holds the lease of the job in hash `h`.
local function owns(h, token)
  local f = redis.call('HMGET', h, 'state', 'token')
  return f[1] == 'active' and f[2] == token
end

-- For a settle call whose token does not hold the lease: when the job's hash is gone while its
-- id is still running, the job was evicted mid-run. It cannot run again: its run's locks (found
-- by their owner, `token`) are released and it is counted lost (state running) now rather than
-- when its lease expires. Returns true when it was.
local function settle_missing(id, token, now)
  if redis.call('EXISTS', jobkey(id)) == 1 or redis.call('ZREM', K.active, id) == 0 then return false end
  for _, name in ipairs(token_locks(token)) do lock_release(name, token) end
  count_lost(id, 'running', now)
  return true
end
