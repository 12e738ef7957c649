-- Deletes one document, its chunks and its index entry in one atomic step.
--
-- KEYS[1]: ingest:{KB}:docs. KEYS[2]: ingest:{KB}:doc:<id>. KEYS[3]: ingest:{KB}:chunks:<id>.
-- ARGV[1]: document id.
-- Returns 1 when something was deleted, 0 when the document was not stored.
-- Guarantees: a reader sees the whole document or none of it.

local deleted = redis.call('DEL', KEYS[2], KEYS[3]) + redis.call('ZREM', KEYS[1], ARGV[1])
if deleted > 0 then return 1 end
return 0
