-- Lists the queue's held locks and forgets names whose lock is gone.
--
-- KEYS[1]: queue key prefix. No ARGV. Returns `{now, name, ttl ms, field/value list, ...}`.

local result = {now_ms()}
for _, name in ipairs(redis.call('SMEMBERS', K.locks)) do
  local key = K.lock .. name
  local ttl = redis.call('PTTL', key)
  if ttl == -2 then
    redis.call('SREM', K.locks, name)
  else
    result[#result + 1] = name
    result[#result + 1] = ttl
    result[#result + 1] = redis.call('HGETALL', key)
  end
end
return result
