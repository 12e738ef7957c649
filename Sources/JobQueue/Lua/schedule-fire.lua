-- Fires a due schedule: enqueues the jobs of its ticks and moves its next fire time, in one step.
-- Only the holder of the queue's scheduler lease fires, and only while the schedule's next fire
-- time is still the one it planned from (compare-and-set): two schedulers can never both fire a
-- tick, and a call retried after a lost reply finds the tick done.
--
-- KEYS[1]: queue key prefix. ARGV: holder, lease ms, schedule name, the next fire time the plan
-- started from (ms), the new next fire time (ms, or '' when the rule never fires again), ticks
-- dropped by the catch-up policy, then the ticks to enqueue a job for (ms), oldest first.
-- Each tick's job has the id 'schedule:<name>:<tick ms>' and, when the schedule skips while its
-- job runs, the unique key 'schedule:<name>': a tick whose previous job still waits, is delayed
-- or runs is skipped (counted). Jobs are written by add_job (library.lua), as enqueue.lua writes
-- them, and counted as enqueued.
-- Returns {'fired', jobs enqueued, ticks skipped}, {'not-leader'}, {'gone'}, {'paused'},
-- {'moved', the stored next fire time or false} or {'unreadable'} (the hash lacks the job's
-- payload or max attempts: nothing is written, and the caller goes on with other schedules).

local now = now_ms()
local holder, name, expected = ARGV[1], ARGV[3], ARGV[4]
if not scheduler_lease(holder, tonumber(ARGV[2])) then return {'not-leader'} end
local h = K.schedule .. name
local f = redis.call('HMGET', h, 'next_at', 'paused', 'type', 'payload', 'max_attempts', 'skip_if_running')
if not f[3] then return {'gone'} end
if not f[4] or not f[5] then return {'unreadable'} end
if f[2] == '1' then return {'paused'} end
if f[1] ~= expected then return {'moved', f[1] or false} end
local unique = ''
if f[6] == '1' then unique = 'schedule:' .. name end
local enqueued, skipped, last = 0, 0, nil
for i = 7, #ARGV do
  local id = schedule_job_id(name, ARGV[i])
  local refused = add_job(now, id, f[4], f[3], f[5], 0, unique, '', '')
  if not refused then
    enqueued = enqueued + 1
    last = id
  elseif refused[1] == 'duplicate' then
    skipped = skipped + 1
  end
end
if enqueued > 0 then
  count(now, 'enqueued', enqueued)
  redis.call('HSET', h, 'last_enqueued_at', now, 'last_job', last)
  redis.call('HINCRBY', h, 'enqueued', enqueued)
end
if skipped > 0 then
  redis.call('HSET', h, 'last_skipped_at', now)
  redis.call('HINCRBY', h, 'skipped', skipped)
end
local missed = tonumber(ARGV[6])
if missed > 0 then redis.call('HINCRBY', h, 'missed', missed) end
if #ARGV >= 7 then redis.call('HSET', h, 'last_tick_at', ARGV[#ARGV]) end
if ARGV[5] == '' then
  redis.call('HDEL', h, 'next_at')
  redis.call('ZREM', K.schedule_next, name)
else
  redis.call('HSET', h, 'next_at', ARGV[5])
  redis.call('ZADD', K.schedule_next, ARGV[5], name)
end
return {'fired', enqueued, skipped}
