-- Renews a lock's TTL, only for its owner.
--
-- KEYS[1]: queue key prefix. ARGV: lock name, owner token, TTL ms. Returns 1 when renewed,
-- 0 when the lock is no longer this owner's (its TTL passed; someone else may hold it).

if lock_renew(ARGV[1], ARGV[2], tonumber(ARGV[3])) then return 1 end
return 0
