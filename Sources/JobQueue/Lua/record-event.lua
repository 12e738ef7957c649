-- Records an operator action on the queue's events list, newest first, keeping the last 50.
--
-- KEYS[1]: queue key prefix. ARGV: the event as a non-empty JSON object without `at`. `at`
-- (the Redis clock) is put first in the object as it is stored; the rest is kept byte for byte.
-- Returns the stored JSON.

local text = '{"at":' .. string.format('%d', now_ms()) .. ',' .. string.sub(ARGV[1], 2)
redis.call('LPUSH', K.events, text)
redis.call('LTRIM', K.events, 0, 49)
return text
