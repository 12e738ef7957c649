-- Recovers the jobs of a consumer known to be dead (its process exited), at once rather than
-- after its leases expire. Used by the supervisor, which knows why the worker died.
--
-- KEYS[1]: queue key prefix. ARGV: consumer id, cause (e.g. 'OOM', 'killed by SIGKILL'),
-- poison threshold. Every job leased by that consumer counts a crash with the cause and is
-- requeued, or quarantined as poison, or dead-lettered; its claim list goes back to waiting.
-- Returns a flat list `{id, outcome, id, outcome, ...}`.

local now = now_ms()
local consumer, cause, poison_after = ARGV[1], ARGV[2], tonumber(ARGV[3])
local result = {}
for _, id in ipairs(redis.call('ZRANGE', K.active, 0, 999)) do
  if redis.call('HGET', jobkey(id), 'owner') == consumer then
    table.insert(result, id)
    table.insert(result, recover_crashed(id, now, cause, poison_after))
  end
end
hand_back(consumer)
redis.call('ZREM', K.consumers, consumer)
redis.call('DEL', K.worker .. consumer)
return result
