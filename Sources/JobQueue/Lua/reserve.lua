-- Takes the next runnable job and leases it, in one step.
--
-- KEYS[1]: queue key prefix. ARGV: consumer id, '1' if the consumer's BLMOVE just moved an
-- entry into its claim list ('0' otherwise), '1' to promote due delayed jobs first, lease ms,
-- max message bytes, default max_attempts. Then, unless the queue is paused, takes the entry in the
-- consumer's claim list or else the rightmost waiting entry, and records the lease (deadline
-- from Redis TIME, owner, token) in the same script, so no crash can leave a job taken but
-- unleased. Malformed messages are dead-lettered here. Returns the reserve reply described in
-- library.lua.

return reserve(ARGV[1], ARGV[2], ARGV[3], now_ms(), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]))
