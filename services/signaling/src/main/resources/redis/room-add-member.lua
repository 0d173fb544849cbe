-- Adds a member to a room, only if the room is still the one the join read and has room for it,
-- and answers with the room's members as of that moment (whom the newcomer is introduced to).
-- The join's presence event is numbered in the same step (the room's sequence counter), so the
-- numbers of a room's joins and leaves follow the order of the changes themselves, whichever pod
-- makes them and however late it sends the event.
-- KEYS[1] the room's hash (SignalingKeys.room), KEYS[2] its members (SignalingKeys.roomMembers),
-- KEYS[3] its sequence counter (SignalingKeys.roomSequence)
-- ARGV[1] pipeline id the join read, ARGV[2] name, ARGV[3] the member's record (JSON),
-- ARGV[4] most members, ARGV[5] how long the counter is kept after this (ms)
-- Returns a list whose first element is the ordinal of RoomStore.Added: 0 ADDED, 1 NAME_TAKEN,
-- 2 ROOM_GONE (closed or rebuilt meanwhile), 3 ROOM_FULL; after ADDED, the join's sequence number,
-- then the members hash's fields and values (name, record, name, record, ...), the new member among them.
if redis.call('HGET', KEYS[1], 'pipelineId') ~= ARGV[1] then return {2} end
if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 then return {1} end
if redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[4]) then return {3} end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
local seq = redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], ARGV[5])
local members = redis.call('HGETALL', KEYS[2])
table.insert(members, 1, seq)
table.insert(members, 1, 0)
return members
