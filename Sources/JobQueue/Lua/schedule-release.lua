-- Gives up the scheduler lease when the caller holds it, so that another scheduler takes over at
-- its next look instead of when the lease expires (a scheduler that stops calls it).
--
-- KEYS[1]: queue key prefix. ARGV: holder.
-- Returns 1 when the lease was released, 0 when the caller did not hold it.

if redis.call('GET', K.scheduler) == ARGV[1] then return redis.call('DEL', K.scheduler) end
return 0
