-- Takes a named lock of the queue unless it is held.
--
-- KEYS[1]: queue key prefix. ARGV: lock name, owner token (random per acquisition), TTL ms,
-- holder description (host/pid), job id ('' for none). Returns the fencing token (an integer
-- that grows with every acquisition of this lock) or nil when the lock is held.

return lock_acquire(ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5], now_ms())
