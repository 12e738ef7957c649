-- Stores one document and all its chunks, replacing any earlier version, in one atomic step.
--
-- KEYS[1]: ingest:{KB}:docs (index). KEYS[2]: ingest:{KB}:doc:<id> (metadata hash).
-- KEYS[3]: ingest:{KB}:chunks:<id> (chunk list).
-- ARGV[1]: document id. ARGV[2]: content hash. ARGV[3]: chunk size. ARGV[4]: chunk overlap.
-- ARGV[5]: path. ARGV[6]: title. ARGV[7]: format. ARGV[8]: size in bytes. ARGV[9]: modification
-- time (ms since the epoch). ARGV[10...]: the chunks in order, each a JSON object; none for a
-- document without text.
-- Returns {'unchanged', 0}, {'created', 0} or {'updated', <chunks removed>}.
-- Guarantees: when the stored content hash, chunk size and chunk overlap all equal the given
-- ones, nothing is written at all (not even ingested_at). Otherwise the old hash and chunk list
-- are deleted and the new ones written, with ingested_at from Redis TIME, in the same script:
-- a reader sees the old version or the new one, never a mix. Chunks are pushed 1000 per call,
-- below Lua's limit on unpack.

-- The arguments before the first chunk, ARGV[1] to ARGV[9]. Must equal
-- SaveDocumentScript.fixedArgumentCount in Swift (LuaScriptTests fails when they differ).
local fixed_argument_count = 9

local docs, doc, chunks = KEYS[1], KEYS[2], KEYS[3]
local id, hash, size, overlap = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local stored = redis.call('HMGET', doc, 'content_hash', 'chunk_size', 'chunk_overlap')
if stored[1] == hash and stored[2] == size and stored[3] == overlap then
  return {'unchanged', 0}
end
local existed = redis.call('EXISTS', doc) == 1
local removed = redis.call('LLEN', chunks)
redis.call('DEL', doc, chunks)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', doc, 'path', ARGV[5], 'title', ARGV[6], 'format', ARGV[7], 'content_hash', hash,
  'bytes', ARGV[8], 'modified_at', ARGV[9], 'chunk_size', size, 'chunk_overlap', overlap,
  'chunk_count', #ARGV - fixed_argument_count, 'ingested_at', now)
for first = fixed_argument_count + 1, #ARGV, 1000 do
  redis.call('RPUSH', chunks, unpack(ARGV, first, math.min(first + 999, #ARGV)))
end
redis.call('ZADD', docs, now, id)
if existed then return {'updated', removed} end
return {'created', 0}
