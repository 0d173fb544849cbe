-- Replaces a member's record, only if it is still this membership, on the expected pod, with the
-- expected publisher.
-- KEYS[1] the room's members (SignalingKeys.roomMembers)
-- ARGV[1] name, ARGV[2] membership id, ARGV[3] expected pod, ARGV[4] expected publisher,
-- ARGV[5] the new record (JSON)
-- Returns 1 when replaced, 0 otherwise.
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return 0 end
local m = cjson.decode(cur)
if m.id ~= ARGV[2] or m.pod ~= ARGV[3] or m.publisher ~= ARGV[4] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[5])
return 1
