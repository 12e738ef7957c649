-- Records the active supervisor's state.
--
-- KEYS[1]: queue key prefix. ARGV: state, detail, host, pid, worker pid ('' for none), worker
-- id, backoff ms from now ('' for none), '1' to count a launch, holder (`host/pid`). Sets
-- `since` when the state changes, clears the worker and backoff fields when not given, and
-- drops the `standby` mark when it names this supervisor. Returns Redis TIME in ms.

local now = now_ms()
local h = K.supervisor
if redis.call('HGET', h, 'state') ~= ARGV[1] then redis.call('HSET', h, 'since', now) end
redis.call('HSET', h, 'state', ARGV[1], 'detail', ARGV[2], 'host', ARGV[3], 'pid', ARGV[4], 'updated_at', now)
if ARGV[5] ~= '' then
  redis.call('HSET', h, 'worker_pid', ARGV[5], 'worker_id', ARGV[6])
else
  redis.call('HDEL', h, 'worker_pid', 'worker_id')
end
if ARGV[7] ~= '' then
  redis.call('HSET', h, 'backoff_until', now + tonumber(ARGV[7]))
else
  redis.call('HDEL', h, 'backoff_until')
end
if ARGV[8] == '1' then count(now, 'launches', 1) end
if redis.call('HGET', h, 'standby') == ARGV[9] then redis.call('HDEL', h, 'standby', 'standby_at') end
return now
