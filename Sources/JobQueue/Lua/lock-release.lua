-- Releases a lock, only for its owner, and lets one job parked behind it wait again.
--
-- KEYS[1]: queue key prefix. ARGV: lock name, owner token. Returns 1 when this call released
-- it, 0 when it was not held by this owner.

local held = redis.call('HGET', K.lock .. ARGV[1], 'owner') == ARGV[2]
lock_release(ARGV[1], ARGV[2])
if held then return 1 end
return 0
