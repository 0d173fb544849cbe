-- Adds a member to a room, only if the room is still the one the join read and has room for it,
-- and answers with the room's members as of that moment (whom the newcomer is introduced to).
-- KEYS[1] the room's hash (SignalingKeys.room), KEYS[2] its members (SignalingKeys.roomMembers)
-- ARGV[1] pipeline id the join read, ARGV[2] name, ARGV[3] the member's record (JSON),
-- ARGV[4] most members
-- Returns a list whose first element is the ordinal of RoomStore.Added: 0 ADDED, 1 NAME_TAKEN,
-- 2 ROOM_GONE (closed or rebuilt meanwhile), 3 ROOM_FULL; after ADDED, the members hash's fields
-- and values (name, record, name, record, ...), the new member among them.
if redis.call('HGET', KEYS[1], 'pipelineId') ~= ARGV[1] then return {2} end
if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 then return {1} end
if redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[4]) then return {3} end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
local members = redis.call('HGETALL', KEYS[2])
table.insert(members, 1, 0)
return members
