-- Acknowledges a finished job and, when asked, reserves the next one: one round trip per job
-- while the queue is backlogged.
--
-- KEYS[1]: queue key prefix. ARGV: job id, lease token, the run's result ('' for none; at most
-- 4 KiB, cut by the caller), its last progress (JSON, '' for none), '1' to reserve next ('0'
-- not), then the reserve arguments (consumer, '0', promote flag, lease ms, max bytes, default
-- max_attempts).
-- An acked job is deleted, or kept in the queue's history (state `completed`, with its result and
-- last progress) when the queue's settings ask for one (see keep_completed in library.lua). Returns `{status, reserve reply}` where status is 'acked'; 'evicted' when the job's hash was
-- evicted while it ran (its id still running, its hash gone): no other run of it can exist, since
-- taking a job needs its hash, so this run is settled: the locks it holds (found by their owner,
-- the token) are released and the job is counted lost (state running), not processed; or 'stale'
-- when the token no longer holds the lease (acked before, or the lease expired and the job was
-- given to another consumer): acking is idempotent and only the lease owner can ack. (See ack_job
-- in batch-library.lua.)

local now = now_ms()
local status = ack_job(ARGV[1], ARGV[2], ARGV[3], ARGV[4], now)
if status == 'acked' then count(now, 'processed', 1) end
if ARGV[5] == '1' then
  return {status, reserve(ARGV[6], ARGV[7], ARGV[8], now, tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11]))}
end
return {status}
