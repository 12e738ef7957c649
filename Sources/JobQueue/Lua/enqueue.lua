-- Adds one or more jobs (a batch is one call: one round trip, one script run).
--
-- KEYS[1]: queue key prefix. ARGV: for each job nine values: id ('' to have one generated,
-- `_<n>`), payload (JSON text), type, max_attempts, delay in ms (0: ready now), unique key, limiter
-- key, concurrency key ('' for none), priority ('high', 'low', or '' for normal). The hash keeps the
-- payload and the fields apart, not a whole message: a small job's fields stay under Redis's
-- compact-hash limits (64 bytes a value). A small job with a generated id and no options but type,
-- attempts and priority has no hash until it is taken: it waits as a compact record (see
-- add_generated_job in library.lua).
-- Returns one reply per job, in order: `{'ok', id}`, `{'duplicate', id of the job holding the
-- unique key}` or `{'exists', id}`. Guarantees: each job's hash, unique key and waiting-list or
-- delayed entry are written together or not at all (by add_job, in library.lua); a unique key is
-- refused only while its holder is waiting, delayed or running; an id is refused while a job with
-- it exists, except a completed job kept in the history (that record is replaced).

local now = now_ms()
local results, added = {}, 0
for i = 1, #ARGV, 9 do
  local id, payload, jtype, attempts, delay, unique = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], tonumber(ARGV[i + 4]), ARGV[i + 5]
  local limiter, concurrency_key, priority = ARGV[i + 6], ARGV[i + 7], ARGV[i + 8]
  local refused
  if id == '' then
    id, refused = add_generated_job(now, payload, jtype, attempts, delay, unique, limiter, concurrency_key, priority)
  else
    refused = add_job(now, id, payload, jtype, attempts, delay, unique, limiter, concurrency_key, priority)
  end
  if refused then
    results[#results + 1] = refused
  else
    added = added + 1
    results[#results + 1] = {'ok', id}
  end
end
if added > 0 then count(now, 'enqueued', added) end
return results
