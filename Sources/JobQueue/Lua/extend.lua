-- Extends a lease, and the locks the run holds, only for their owner.
--
-- KEYS[1]: queue key prefix. ARGV: job id, lease token, new lease length ms (from now), and
-- optionally the run's progress (JSON text) to save with the job as `progress`, with
-- `progress_at` (Redis TIME): the worker sends its handler's progress along with the extension.
-- Returns `{'extended', deadline ms}`; `{'evicted', deadline ms}` when the job's hash was evicted
-- while it ran (its id still running, its hash gone): the run may finish, so its lease and the
-- locks its token owns are extended all the same, and complete.lua (or fail, release) settles it
-- as lost; or `{'lost'}` when the token no longer holds the lease or one of the run's locks (its
-- TTL passed and it was taken): the run must stop. (See extend_lease in batch-library.lua.)

return extend_lease(ARGV[1], ARGV[2], tonumber(ARGV[3]), now_ms(), ARGV[4])
