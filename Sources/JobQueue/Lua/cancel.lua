-- Cancels a waiting or delayed job.
--
-- KEYS[1]: queue key prefix. ARGV: job id. A waiting job becomes a tombstone that the reserve
-- step drops (no scan of the waiting list): its hash, or for a compact job (library.lua) its
-- record; a delayed job is deleted; a dead letter, or a completed job kept in the history, is
-- deleted. Returns `{'cancelled', previous state}`, `{'running'}` or `{'missing'}`.

local id = ARGV[1]
local h = jobkey(id)
local state = redis.call('HGET', h, 'state')
if not state then
  local compact = compact_job(id)
  if type(compact) ~= 'table' then return {'missing'} end
  local bucket, field = compact_slot(generated_digits(id))
  redis.call('HSET', bucket, field, COMPACT_CANCELLED)
  count(now_ms(), 'cancelled', 1)
  return {'cancelled', 'waiting'}
end
if state == 'cancelled' then return {'missing'} end
if state == 'active' then return {'running'} end
if state == 'completed' then
  redis.call('DEL', h)
  redis.call('ZREM', K.completed, id)
  return {'cancelled', state}
end
release_unique(redis.call('HGET', h, 'unique'), id)
if state == 'waiting' then
  redis.call('DEL', h)
  redis.call('HSET', h, 'state', 'cancelled')
else
  redis.call('ZREM', K.delayed, id)
  redis.call('ZREM', K.dead, id)
  redis.call('DEL', h)
end
count(now_ms(), 'cancelled', 1)
return {'cancelled', state}
