-- Decides whether an alert of one kind for the queue is delivered now or suppressed: at most one
-- per interval, the suppressed ones counted and reported with the next one delivered.
--
-- KEYS[1]: queue key prefix. ARGV: kind (e.g. breaker_tripped), interval in ms.
-- Reads and writes K.alerts: `<kind>:sent_at` (ms, Redis clock) and `<kind>:suppressed`.
-- Returns {1, suppressed, now} when the alert is to be delivered (`sent_at` becomes now and the
-- count of alerts suppressed since the last delivery is returned and cleared), {0, suppressed,
-- now} when it is suppressed (counted). Atomic: of processes raising the same kind at once, one
-- delivers. A `sent_at` in the future (a clock set back) lets the alert through.

local now = now_ms()
local sent_field = ARGV[1] .. ':sent_at'
local suppressed_field = ARGV[1] .. ':suppressed'
local interval = tonumber(ARGV[2])
local last = tonumber(redis.call('HGET', K.alerts, sent_field) or '')
if last and now >= last and now - last < interval then
  return {0, redis.call('HINCRBY', K.alerts, suppressed_field, 1), now}
end
local suppressed = tonumber(redis.call('HGET', K.alerts, suppressed_field) or '0') or 0
redis.call('HSET', K.alerts, sent_field, now, suppressed_field, 0)
return {1, suppressed, now}
