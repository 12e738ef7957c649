-- Extends the leases of every job a prefetching worker holds (the running one, the ones waiting in
-- its buffer, the finished ones not yet acked) in one round trip, each only for its owner.
--
-- KEYS[1]: queue key prefix. ARGV: new lease length ms (from now), the running job's progress
-- (JSON text, '' for none; saved with the first job), then pairs of (job id, lease token).
-- Returns `{replies, paused}`: one reply per job, in order, as extend.lua gives it (see
-- extend_lease in batch-library.lua): `{'extended', deadline}`, `{'evicted', deadline}` or
-- `{'lost'}`; and 1 when the queue is paused (the worker then gives back the jobs it has not
-- started), else 0. The deadlines in K.active move with one ZADD XX for all the jobs.

local now = now_ms()
local ms = tonumber(ARGV[1])
local replies, deadlines = {}, {}
for k = 3, #ARGV, 2 do
  replies[#replies + 1] = extend_lease(ARGV[k], ARGV[k + 1], ms, now, k == 3 and ARGV[2] or nil, deadlines)
end
if #deadlines > 0 then redis.call('ZADD', K.active, 'XX', unpack(deadlines)) end
return {replies, redis.call('HGET', K.config, 'paused') == '1' and 1 or 0}
