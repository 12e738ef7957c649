-- Everything stored about one job, for `jobq show` and the dashboard. Read-only.
--
-- KEYS[1]: queue key prefix. ARGV: job id. Returns the HGETALL of its hash; for a job waiting in
-- compact form (library.lua), the fields its hash will have: state `waiting`, payload, type,
-- max_attempts, enqueued_at and priority (or state `cancelled` for a cancelled one); `{}` when
-- there is no such job.

local id = ARGV[1]
local fields = redis.call('HGETALL', jobkey(id))
if #fields > 0 then return fields end
local compact = compact_job(id)
if compact == 'cancelled' then return {'state', 'cancelled'} end
if not compact then return {} end
fields = {'state', 'waiting', 'payload', compact.payload, 'type', compact.type, 'max_attempts',
  string.format('%d', compact.max_attempts), 'enqueued_at', string.format('%d', compact.enqueued_at)}
if compact.priority then
  fields[#fields + 1] = 'priority'
  fields[#fields + 1] = compact.priority
end
return fields
