-- Acknowledges a finished job and, when asked, reserves the next one: one round trip per job
-- while the queue is backlogged.
--
-- KEYS[1]: queue key prefix. ARGV: job id, lease token, '1' to reserve next ('0' not), then
-- the reserve arguments (consumer, '0', promote flag, lease ms, max bytes, default max_attempts).
-- Returns `{status, reserve reply}` where status is 'acked'; 'evicted' when the job's hash was
-- evicted while it ran (its id still running, its hash gone): no other run of it can exist, since
-- taking a job needs its hash, so this run is settled: the locks it holds (found by their owner,
-- the token) are released and the job is counted lost (state running), not processed; or 'stale'
-- when the token no longer holds the lease (acked before, or the lease expired and the job was
-- given to another consumer): acking is idempotent and only the lease owner can ack.

local now = now_ms()
local id, token = ARGV[1], ARGV[2]
local h = jobkey(id)
local status = 'stale'
local f = redis.call('HMGET', h, 'state', 'token', 'unique', 'locks')
if f[1] == 'active' and f[2] == token then
  redis.call('ZREM', K.active, id)
  release_unique(f[3], id)
  release_job_locks(h, f[4], token)
  redis.call('DEL', h)
  count(now, 'processed', 1)
  status = 'acked'
elseif not f[1] and settle_missing(id, token, now) then
  status = 'evicted'
end
if ARGV[3] == '1' then
  return {status, reserve(ARGV[4], ARGV[5], ARGV[6], now, tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]))}
end
return {status}
