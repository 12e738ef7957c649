-- The smallest script: the baseline a queue script's round trip is compared with.
--
-- KEYS[1]: any key (the queue's prefix, so a cluster routes it like the queue's scripts). ARGV: none.
-- Returns 1. Reads and writes nothing.

return 1
