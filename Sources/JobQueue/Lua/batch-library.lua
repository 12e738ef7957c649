-- The Lua a worker that holds several leases at once (prefetch) shares with the one-job scripts:
-- acking one job, extending one lease, reserving up to N jobs, and giving back jobs it leased but
-- never started. Loaded after library.lua (it uses that file's functions).

-- Acks job `id` for the holder of `token` (see complete.lua): deletes it, or keeps it in the
-- history. Returns 'acked' (the caller counts it processed: a batch counts its acks at once),
-- 'evicted' (its hash was evicted while it ran: settled as lost) or 'stale' (the token no longer
-- holds the lease). With `batch` (see ack_batch) a job that is not kept is only noted there, its
-- K.active entry and hash removed with the batch's others by finish_acks.
local function ack_job(id, token, result, progress, now, batch)
  local h = jobkey(id)
  if batch and not batch.history then
    -- Acked earlier in this batch: one at a time its hash would be gone, and its entry in K.active.
    if batch.acked[id] then return 'stale' end
    local f = redis.call('HMGET', h, 'state', 'token', 'unique', 'locks')
    if f[1] == 'active' and f[2] == token then
      if f[3] then release_unique(f[3], id) end
      if f[4] then release_job_locks(h, f[4], token) end
      local n = #batch.ids + 1
      batch.acked[id], batch.ids[n], batch.keys[n] = true, id, h
      return 'acked'
    end
    return (not f[1] and settle_missing(id, token, now)) and 'evicted' or 'stale'
  end
  local f = redis.call('HMGET', h, 'state', 'token', 'unique', 'locks', 'owner')
  if f[1] == 'active' and f[2] == token then
    release_unique(f[3], id)
    release_job_locks(h, f[4], token)
    redis.call('ZREM', K.active, id)
    if not keep_completed(h, id, f[5], result, progress, now) then redis.call('DEL', h) end
    return 'acked'
  end
  return (not f[1] and settle_missing(id, token, now)) and 'evicted' or 'stale'
end

-- A batch of acks for ack_job: whether the queue keeps a history (then each job is settled on its
-- own, by keep_completed), and the ids and hashes of the jobs acked so far.
local function ack_batch()
  local kept = tonumber(redis.call('HGET', K.config, 'history_max_count')) or 0
  return {history = kept > 0, acked = {}, ids = {}, keys = {}}
end

-- Removes the jobs a batch acked from K.active and deletes their hashes: one ZREM and one DEL.
local function finish_acks(batch)
  if #batch.ids > 0 then
    redis.call('ZREM', K.active, unpack(batch.ids))
    redis.call('DEL', unpack(batch.keys))
  end
end

-- Extends the lease of job `id` and the locks its run holds to `ms` from `now`, for the holder of
-- `token` only (see extend.lua), saving `progress` (JSON text; nil or '' for none) with it.
-- With `deadlines` (a table) the new K.active score and the id are appended to it, for the
-- caller's one ZADD XX of them all, rather than written here.
-- Returns {'extended', deadline}, {'evicted', deadline} or {'lost'} (or {'lost', lock name}).
local function extend_lease(id, token, ms, now, progress, deadlines)
  local h = jobkey(id)
  local deadline = now + ms
  local function move_deadline()
    if deadlines then
      deadlines[#deadlines + 1] = deadline
      deadlines[#deadlines + 1] = id
    else
      redis.call('ZADD', K.active, 'XX', deadline, id)
    end
  end
  local f = redis.call('HMGET', h, 'state', 'token', 'locks')
  if not f[1] and redis.call('ZSCORE', K.active, id) then
    for _, name in ipairs(token_locks(token)) do lock_renew(name, token, ms) end
    move_deadline()
    return {'evicted', deadline}
  end
  if f[1] ~= 'active' or f[2] ~= token then return {'lost'} end
  if f[3] then
    for name in string.gmatch(f[3], '[^ ]+') do
      if not lock_renew(name, token, ms) then return {'lost', name} end
    end
  end
  move_deadline()
  if progress and progress ~= '' then
    redis.call('HSET', h, 'lease_until', deadline, 'progress', progress, 'progress_at', now)
  else
    redis.call('HSET', h, 'lease_until', deadline)
  end
  return {'extended', deadline}
end

-- Takes the compact records of the compact entries among `entries` off their bucket hashes: one
-- HMGET and one HDEL per bucket rather than a HGET and a HDEL per job. Returns them by entry (false
-- for a record that is gone), for admit.
local function take_compact_records(entries)
  local buckets, fields, names = {}, {}, {}
  for _, entry in ipairs(entries) do
    local digits = string.byte(entry, 1) == 95 and generated_digits(entry)
    if digits then
      local bucket, field = compact_slot(digits)
      if not fields[bucket] then
        buckets[#buckets + 1] = bucket
        fields[bucket], names[bucket] = {}, {}
      end
      fields[bucket][#fields[bucket] + 1] = field
      names[bucket][#names[bucket] + 1] = entry
    end
  end
  local records = {}
  for _, bucket in ipairs(buckets) do
    local got = redis.call('HMGET', bucket, unpack(fields[bucket]))
    for k, entry in ipairs(names[bucket]) do
      if records[entry] == nil then records[entry] = got[k] end
    end
    redis.call('HDEL', bucket, unpack(fields[bucket]))
  end
  return records
end

-- Takes up to `n` entries off the taking end of the normal waiting list, in the order RPOP would
-- give them (LRANGE and LTRIM: RPOP with a count needs Redis 6.2).
local function pop_waiting(n)
  local newest = redis.call('LRANGE', K.wait, -n, -1)
  if #newest == 0 then return newest end
  redis.call('LTRIM', K.wait, 0, -#newest - 1)
  local entries = {}
  for k = #newest, 1, -1 do entries[#entries + 1] = newest[k] end
  return entries
end

-- Whether a batch can take its jobs straight off the normal waiting list: the queue is not paused
-- and sets no rate or concurrency limit, and no job waits on another level nor is a priority count
-- left to end (take_waiting would take from the normal list alone). Read once per batch: nothing a
-- reservation does changes any of it.
local function plain_batch()
  local cfg = redis.call('HMGET', K.config, 'rate', 'paused', 'concurrency')
  if cfg[1] or cfg[2] == '1' or cfg[3] then return false end
  return redis.call('EXISTS', K.wait_high, K.wait_low, K.priority) == 0
end

-- Leases compact job `id` (a job never run: attempt 1, leases 1, no crash, lock or limiter) whose
-- record was taken off its bucket: writes its hash (the record's fields and the lease) with one
-- HSET of text values, and appends its reply values to `replies` (see reserve_many). `lease`
-- holds what the jobs of a batch share: now and the deadline as text, the token (`consumer/1`),
-- the enqueue times and max_attempts seen so far, decoded once, and the type and max_attempts
-- last sent. Leaves its K.active entry to
-- the caller. Returns false for a cancelled record (the job is dropped, as admit does).
local function lease_compact(id, record, lease, replies)
  local level, at, attempts, jtype, payload = string.match(record, '^([hnl])(%w+)|(%d+)|([^|]*)|(.*)$')
  if not level then return false end
  local enqueued = lease.enqueued[at]
  if not enqueued then
    enqueued = tonumber(at, 36)
    lease.enqueued[at], lease.enqueued_text[at] = enqueued, string.format('%d', enqueued)
  end
  local max = lease.attempts[attempts]
  if not max then
    max = tonumber(attempts)
    lease.attempts[attempts], lease.attempts_text[attempts] = max, string.format('%d', max)
  end
  local h = jobkey(id)
  local stored_type = jtype == '' and 'default' or jtype
  if level == 'n' then
    redis.call('HSET', h, 'payload', payload, 'type', stored_type, 'max_attempts', lease.attempts_text[attempts],
      'enqueued_at', lease.enqueued_text[at], 'state', 'active', 'attempts', '1', 'leases', '1', 'owner', lease.consumer,
      'token', lease.token, 'started_at', lease.now, 'lease_until', lease.deadline)
  else
    redis.call('HSET', h, 'payload', payload, 'type', stored_type, 'max_attempts', lease.attempts_text[attempts],
      'enqueued_at', lease.enqueued_text[at], 'priority', level == 'h' and 'high' or 'low', 'state', 'active',
      'attempts', '1', 'leases', '1', 'owner', lease.consumer, 'token', lease.token, 'started_at', lease.now,
      'lease_until', lease.deadline)
  end
  local k = #replies
  if jtype ~= lease.type or max ~= lease.max_attempts then
    -- The jobs that follow share these (most jobs of a batch do): sent when they change.
    replies[k + 1], replies[k + 2] = max, jtype
    lease.type, lease.max_attempts, k = jtype, max, k + 2
  end
  replies[k + 1], replies[k + 2], replies[k + 3] = id, payload, lease.at - enqueued
  return true
end

-- reserve_many on a plain queue (plain_batch): what reserve does per job, with what it reads or
-- writes per job done once per batch. The entries are taken in the order take_waiting gives them
-- (the consumer's claim list first), several at a time; compact records are taken per bucket and
-- leased by lease_compact; any other entry goes through lease_entry (one HSET per job as well);
-- all leases go into K.active with one ZADD. Every entry taken is dealt with (leased, or as admit
-- and lease_entry deal with one that cannot run); after 100 such entries without a job it stops,
-- like reserve ('busy'). Returns the replies (see reserve_many) and the token of the compact jobs.
local function reserve_plain(n, consumer, fetched, now, lease_ms, max_bytes, default_attempts)
  local replies, leases, skipped, taken = {}, {}, 0, 0
  local lease = {at = now, now = string.format('%d', now), deadline = string.format('%d', now + lease_ms), consumer = consumer,
    token = consumer .. '/1', enqueued = {}, enqueued_text = {}, attempts = {}, attempts_text = {}}
  while taken < n and skipped < 100 do
    local entries = {}
    if fetched == '1' then
      entries[1] = redis.call('RPOP', K.claim .. consumer)
      if not entries[1] then fetched = '0' end
    end
    if fetched ~= '1' then entries = pop_waiting(n - taken) end
    if #entries == 0 then break end
    local records = take_compact_records(entries)
    for _, entry in ipairs(entries) do
      local record, leased = records[entry], false
      if record == nil then
        local reply = lease_entry(entry, consumer, now, lease_ms, max_bytes, default_attempts, nil, nil, false, records)
        if reply then
          replies[#replies + 1] = reply
          leased = reply[2]
        end
      elseif record then
        records[entry] = false
        leased = lease_compact(entry, record, lease, replies) and entry
      else
        count_lost(entry, 'waiting', now)
      end
      if leased then
        taken = taken + 1
        leases[#leases + 1] = lease.deadline
        leases[#leases + 1] = leased
      else
        skipped = skipped + 1
      end
    end
  end
  if #leases > 0 then redis.call('ZADD', K.active, unpack(leases)) end
  if taken == 0 then replies[1] = skipped >= 100 and {'busy'} or {'empty', next_due_in(now)} end
  return replies, lease.token
end

-- Reserves up to `n` jobs for `consumer`, each with its own lease, token and attempt, as the
-- reserve step (library.lua) would one at a time: every job takes its own rate-limit token, its
-- own concurrency slot and its concurrency key's lock. On a plain queue (plain_batch) that is
-- reserve_plain; otherwise the reserve step runs once per job. Stops at the first reply that is
-- not a job (empty, paused, throttled, saturated, busy). Returns the jobs in the order they were
-- taken, in one flat list: a job that waited in compact form (reserve_plain) as three values (id,
-- payload, ms from its enqueue to `now`), on its first attempt with the token returned second,
-- its max_attempts and type (or '' for 'default') those of the last pair (number, text) before
-- it (sent for the first such job and whenever they change); any other job as its reserve reply
-- (a table, see reserve). When none was taken, the list holds the one reply that ended it.
local function reserve_many(n, consumer, fetched, promote, now, lease_ms, max_bytes, default_attempts)
  if promote == '1' then promote_due(now, 100) end
  if plain_batch() then return reserve_plain(n, consumer, fetched, now, lease_ms, max_bytes, default_attempts) end
  local replies = {}
  while #replies < n do
    local reply = reserve(consumer, fetched, '0', now, lease_ms, max_bytes, default_attempts)
    fetched = '0'
    if reply[1] ~= 'job' then
      if #replies == 0 then replies[1] = reply end
      break
    end
    replies[#replies + 1] = reply
  end
  return replies, ''
end

-- Gives back job `id`, leased to `token` but never started: its run's locks (a concurrency slot or
-- key) are released, its attempt is not counted (attempts goes back down; `leases` stays, as it
-- numbers the tokens) and it waits again at the front of its level's waiting list. Returns true
-- when it was given back, false when the token no longer holds the lease (nothing changes).
local function return_unstarted(id, token)
  local h = jobkey(id)
  local f = redis.call('HMGET', h, 'state', 'token', 'locks', 'priority')
  if f[1] ~= 'active' or f[2] ~= token then return false end
  release_job_locks(h, f[3], token)
  redis.call('HINCRBY', h, 'attempts', -1)
  redis.call('ZREM', K.active, id)
  redis.call('HDEL', h, 'owner', 'token', 'lease_until')
  redis.call('HSET', h, 'state', 'waiting')
  push_waiting('@' .. id, f[4], true)
  return true
end
