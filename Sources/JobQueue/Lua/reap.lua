-- One pass of the reaper, run by at most one process per interval.
--
-- KEYS[1]: queue key prefix. ARGV: holder id, interval ms, consumer TTL ms, poison threshold.
-- Takes the reaper lock with SET NX PX (the election); a process that does not get it returns
-- `{-1}` at once. Otherwise: promotes due delayed jobs; puts every job whose lease deadline
-- (Redis TIME) has passed back to waiting, counting a crash ('lease expired'), or to dead
-- letters (a job whose hash is gone is counted lost, see count_lost in library.lua); and
-- returns to the waiting list what consumers that stopped heartbeating had
-- fetched but not leased; lets parked jobs wait again when their lock was freed by a TTL; and
-- trims the history and the dead letters to their retention (so finished jobs past their age go
-- even when no job finishes any more).
-- Returns `{promoted, requeued, dead letters, orphaned claims}`.

if not redis.call('SET', K.reaper, ARGV[1], 'NX', 'PX', ARGV[2]) then return {-1} end
local now = now_ms()
local poison_after = tonumber(ARGV[4])
local promoted = promote_due(now, 1000)
local requeued, dead, orphans = 0, 0, 0
for _, id in ipairs(redis.call('ZRANGEBYSCORE', K.active, '-inf', now, 'LIMIT', 0, 100)) do
  local outcome = recover_crashed(id, now, 'lease expired', poison_after)
  if outcome == 'requeued' then requeued = requeued + 1 elseif outcome ~= 'skipped' and outcome ~= 'lost' then dead = dead + 1 end
end
for _, consumer in ipairs(redis.call('ZRANGEBYSCORE', K.consumers, '-inf', now - tonumber(ARGV[3]), 'LIMIT', 0, 100)) do
  local claim_list = K.claim .. consumer
  orphans = orphans + redis.call('LLEN', claim_list)
  hand_back(consumer)
  redis.call('ZREM', K.consumers, consumer)
end
for _, name in ipairs(redis.call('SRANDMEMBER', K.parked_names, 100)) do unpark(name) end
trim_history(now)
trim_dead(now)
return {promoted, requeued, dead, orphans}
