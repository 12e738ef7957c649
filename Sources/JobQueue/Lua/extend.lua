-- Extends a lease, and the locks the run holds, only for their owner.
--
-- KEYS[1]: queue key prefix. ARGV: job id, lease token, new lease length ms (from now), and
-- optionally the run's progress (JSON text) to save with the job as `progress`, with
-- `progress_at` (Redis TIME): the worker sends its handler's progress along with the extension.
-- Returns `{'extended', deadline ms}`; `{'evicted', deadline ms}` when the job's hash was evicted
-- while it ran (its id still running, its hash gone): the run may finish, so its lease and the
-- locks its token owns are extended all the same, and complete.lua (or fail, release) settles it
-- as lost; or `{'lost'}` when the token no longer holds the lease or one of the run's locks (its
-- TTL passed and it was taken): the run must stop.

local now = now_ms()
local id, token, ms = ARGV[1], ARGV[2], tonumber(ARGV[3])
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
if ARGV[4] and ARGV[4] ~= '' then redis.call('HSET', h, 'progress', ARGV[4], 'progress_at', now) end
return {'extended', deadline}
