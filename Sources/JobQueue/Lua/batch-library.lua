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
  -- Acked earlier in this batch: one at a time its hash would be gone, and its entry in K.active.
  if batch and batch.acked[id] then return 'stale' end
  local f = redis.call('HMGET', h, 'state', 'token', 'unique', 'locks', 'owner')
  if f[1] == 'active' and f[2] == token then
    release_unique(f[3], id)
    release_job_locks(h, f[4], token)
    if batch and not batch.history then
      batch.acked[id] = true
      batch.ids[#batch.ids + 1] = id
      batch.keys[#batch.keys + 1] = h
    else
      redis.call('ZREM', K.active, id)
      if not keep_completed(h, id, f[5], result, progress, now) then redis.call('DEL', h) end
    end
    return 'acked'
  elseif not f[1] and settle_missing(id, token, now) then
    return 'evicted'
  end
  return 'stale'
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
-- Returns {'extended', deadline}, {'evicted', deadline} or {'lost'} (or {'lost', lock name}).
local function extend_lease(id, token, ms, now, progress)
  local h = jobkey(id)
  local deadline = now + ms
  local f = redis.call('HMGET', h, 'state', 'token', 'locks')
  if not f[1] and redis.call('ZSCORE', K.active, id) then
    for _, name in ipairs(token_locks(token)) do lock_renew(name, token, ms) end
    redis.call('ZADD', K.active, 'XX', deadline, id)
    return {'evicted', deadline}
  end
  if f[1] ~= 'active' or f[2] ~= token then return {'lost'} end
  if f[3] then
    for name in string.gmatch(f[3], '[^ ]+') do
      if not lock_renew(name, token, ms) then return {'lost', name} end
    end
  end
  redis.call('ZADD', K.active, 'XX', deadline, id)
  redis.call('HSET', h, 'lease_until', deadline)
  if progress and progress ~= '' then redis.call('HSET', h, 'progress', progress, 'progress_at', now) end
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

-- reserve_many on a plain queue (plain_batch): what reserve does per job, with what it reads or
-- writes per job done once per batch. The entries are taken in the order take_waiting gives them
-- (the consumer's claim list first), several at a time; compact records are taken per bucket; each
-- job's hash is written with one HSET (lease_entry) and all leases go into K.active with one ZADD.
-- Every entry taken is dealt with (leased, or as admit and lease_entry deal with one that cannot
-- run); after 100 such entries without a job it stops, like reserve ('busy').
local function reserve_plain(n, consumer, fetched, now, lease_ms, max_bytes, default_attempts)
  local replies, leases, skipped = {}, {}, 0
  local deadline = now + lease_ms
  while #replies < n and skipped < 100 do
    local entries = {}
    if fetched == '1' then
      entries[1] = redis.call('RPOP', K.claim .. consumer)
      if not entries[1] then fetched = '0' end
    end
    if fetched ~= '1' then entries = pop_waiting(n - #replies) end
    if #entries == 0 then break end
    local records = take_compact_records(entries)
    for _, entry in ipairs(entries) do
      local reply = lease_entry(entry, consumer, now, lease_ms, max_bytes, default_attempts, nil, nil, false, records)
      if reply then
        replies[#replies + 1] = reply
        leases[#leases + 1] = deadline
        leases[#leases + 1] = reply[2]
      else
        skipped = skipped + 1
      end
    end
  end
  if #leases > 0 then redis.call('ZADD', K.active, unpack(leases)) end
  if #replies == 0 then replies[1] = skipped >= 100 and {'busy'} or {'empty', next_due_in(now)} end
  return replies
end

-- Reserves up to `n` jobs for `consumer`, each with its own lease, token and attempt, as the
-- reserve step (library.lua) would one at a time: every job takes its own rate-limit token, its
-- own concurrency slot and its concurrency key's lock. On a plain queue (plain_batch) that is
-- reserve_plain; otherwise the reserve step runs once per job. Stops at the first reply that is
-- not a job (empty, paused, throttled, saturated, busy). Returns the job replies in the order they
-- were taken; when none was taken, the one reply that ended it.
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
  return replies
end

-- Gives back job `id`, leased to `token` but never started: its run's locks (a concurrency slot or
-- key) are released, its attempt is not counted (attempts goes back down; `leases` stays, as it
-- numbers the tokens) and it waits again at the front of its level's waiting list. Returns true
-- when it was given back, false when the token no longer holds the lease (nothing changes).
local function return_unstarted(id, token)
  local h = jobkey(id)
  if not owns(h, token) then return false end
  local f = redis.call('HMGET', h, 'locks', 'priority')
  release_job_locks(h, f[1], token)
  redis.call('HINCRBY', h, 'attempts', -1)
  redis.call('ZREM', K.active, id)
  redis.call('HDEL', h, 'owner', 'token', 'lease_until')
  redis.call('HSET', h, 'state', 'waiting')
  push_waiting('@' .. id, f[2], true)
  return true
end
