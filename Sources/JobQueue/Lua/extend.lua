-- Extends a lease, and the locks the run holds, only for their owner.
--
-- KEYS[1]: queue key prefix. ARGV: job id, lease token, new lease length ms (from now).
-- Returns `{'extended', deadline ms}`, or `{'lost'}` when the token no longer holds the lease
-- or one of the run's locks (its TTL passed and it was taken): the run must stop.

local now = now_ms()
local id, token = ARGV[1], ARGV[2]
local h = jobkey(id)
local f = redis.call('HMGET', h, 'state', 'token', 'locks')
if f[1] ~= 'active' or f[2] ~= token then return {'lost'} end
if f[3] then
  for name in string.gmatch(f[3], '[^ ]+') do
    if not lock_renew(name, token, tonumber(ARGV[3])) then return {'lost', name} end
  end
end
local deadline = now + tonumber(ARGV[3])
redis.call('ZADD', K.active, 'XX', deadline, id)
redis.call('HSET', h, 'lease_until', deadline)
return {'extended', deadline}
