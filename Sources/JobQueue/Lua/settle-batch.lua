-- Settles a prefetching worker's batch and reserves its next one, in one round trip: acks the
-- jobs it finished, gives back the jobs it leased but will not start, then reserves up to N jobs.
--
-- KEYS[1]: queue key prefix. ARGV: number of acks A, then A times (job id, lease token, result
-- ('' for none), progress ('' for none)); number of jobs to give back G, then G times (job id,
-- lease token) in the order the worker would have run them; how many jobs to reserve (0: none);
-- then the reserve arguments (consumer, fetched flag, promote flag, lease ms, max bytes, default
-- max_attempts).
-- Acks work as in complete.lua, the jobs not kept in a history removed together (finish_acks). A
-- job given back waits again at the front of the level it came from, in its original order, its
-- attempt not counted and its locks released (return_unstarted in batch-library.lua). Reservation is reserve_many (batch-library.lua): every job leased with
-- its own token and deadline (Redis TIME), one rate-limit token, concurrency slot and key lock
-- each; it stops early at the first refusal (paused, throttled, saturated) or an empty queue.
-- Returns `{ack statuses, given-back flags (1 or 0), reserve replies}`: the reserve replies are
-- job replies as reserve.lua gives them, or the one reply that ended the reservation when it
-- took no job.

local now = now_ms()
local i = 1
local acks = {}
local processed = 0
if tonumber(ARGV[i]) > 0 then
  local batch = ack_batch()
  for _ = 1, tonumber(ARGV[i]) do
    acks[#acks + 1] = ack_job(ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], now, batch)
    if acks[#acks] == 'acked' then processed = processed + 1 end
    i = i + 4
  end
  -- Before anything is given back: a job acked here is gone for the steps below.
  finish_acks(batch)
end
if processed > 0 then count(now, 'processed', processed) end
i = i + 1
local returns = tonumber(ARGV[i])
local given = {}
-- The last first: each goes to the front, so the first to run ends up taken next.
for k = returns, 1, -1 do
  given[k] = return_unstarted(ARGV[i + 2 * k - 1], ARGV[i + 2 * k]) and 1 or 0
end
i = i + 2 * returns + 1
local n = tonumber(ARGV[i])
local reserved = {}
if n > 0 then
  reserved = reserve_many(n, ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], now, tonumber(ARGV[i + 4]), tonumber(ARGV[i + 5]), tonumber(ARGV[i + 6]))
end
return {acks, given, reserved}
