-- Counts a room among those one client (an identity or an address) has open, unless it has as many
-- as it may: a join that would open one more room is refused before placement or KMS is asked.
-- KEYS[1] the client's openings (SignalingKeys.openings)
-- ARGV[1] the room's id, ARGV[2] the most rooms it may have open, ARGV[3] the key's lifetime (s)
-- Returns 1 when the room is counted (or was already), 0 when the client has ARGV[2] rooms open.
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
