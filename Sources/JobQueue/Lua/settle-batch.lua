-- Settles a prefetching worker's batch and reserves its next one, in one round trip: acks the
-- jobs it finished, gives back the jobs it leased but will not start, then reserves up to N jobs.
--
-- KEYS[1]: queue key prefix. ARGV: number of acks A, then A times (job id, lease token); number of
-- acks X that carry a result or progress, then X times (place of the ack among the A, from 1;
-- result, '' for none; progress, '' for none); number of jobs to give back G, then G times (job
-- id, lease token) in the order the worker would have run them; how many jobs to reserve (0:
-- none); then the reserve arguments (consumer, fetched flag, promote flag, lease ms, max bytes,
-- default max_attempts).
-- Acks work as in complete.lua, the jobs not kept in a history removed together (finish_acks). A
-- job given back waits again at the front of the level it came from, in its original order, its
-- attempt not counted and its locks released (return_unstarted in batch-library.lua).
-- Reservation is reserve_many (batch-library.lua): every job leased with its own token and
-- deadline (Redis TIME), one rate-limit token, concurrency slot and key lock each; it stops early
-- at the first refusal (paused, throttled, saturated) or an empty queue.
-- Returns `{ack statuses, given-back flags (1 or 0), reserved, now, token}`: an ack status per ack,
-- 1 (acked), 2 (acked, but the job's hash was evicted while it ran: counted lost) or 0 (stale: the
-- token no longer holds the lease); `reserved` as reserve_many gives it (jobs that waited in
-- compact form as three values each, after the max_attempts and type they share; any other job as
-- its reserve reply; or the one reply that ended the reservation when it took no job); `now` (ms, Redis TIME: when the jobs were leased);
-- `token`, the lease token of the jobs that waited in compact form ('' when none can have).

local now = now_ms()
local acks, processed = {}, 0
local count_acks = tonumber(ARGV[1])
local i = 2 + 2 * count_acks
if count_acks > 0 then
  -- The acks that carry a result or progress: by their place among the acks.
  local extra = {}
  for k = i + 1, i + 3 * tonumber(ARGV[i]), 3 do extra[tonumber(ARGV[k])] = k end
  local batch = ack_batch()
  for k = 1, count_acks do
    local e = extra[k]
    local status = ack_job(ARGV[2 * k], ARGV[2 * k + 1], e and ARGV[e + 1] or '', e and ARGV[e + 2] or '', now, batch)
    if status == 'acked' then
      acks[k], processed = 1, processed + 1
    else
      acks[k] = status == 'evicted' and 2 or 0
    end
  end
  -- Before anything is given back: a job acked here is gone for the steps below.
  finish_acks(batch)
end
if processed > 0 then count(now, 'processed', processed) end
i = i + 3 * tonumber(ARGV[i]) + 1
local returns = tonumber(ARGV[i])
local given = {}
-- The last first: each goes to the front, so the first to run ends up taken next.
for k = returns, 1, -1 do
  given[k] = return_unstarted(ARGV[i + 2 * k - 1], ARGV[i + 2 * k]) and 1 or 0
end
i = i + 2 * returns + 1
local n = tonumber(ARGV[i])
local reserved, token = {}, ''
if n > 0 then
  reserved, token = reserve_many(n, ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], now, tonumber(ARGV[i + 4]), tonumber(ARGV[i + 5]), tonumber(ARGV[i + 6]))
end
return {acks, given, reserved, now, token}
