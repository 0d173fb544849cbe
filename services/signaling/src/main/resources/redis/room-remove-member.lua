-- Removes a member, only if its record is still this membership (and, when asked, still on this
-- pod, or parked until no later than a deadline).
-- The leave's presence event is numbered in the same step (as room-add-member.lua's join).
-- KEYS[1] the room's members (SignalingKeys.roomMembers), KEYS[2] its sequence counter
-- (SignalingKeys.roomSequence)
-- ARGV[1] name, ARGV[2] membership id, ARGV[3] pod ('' for any),
-- ARGV[4] removed only if parked until at most this, epoch ms (0: no such check),
-- ARGV[5] how long the counter is kept after this (ms)
-- Returns {members left, the record removed, the leave's sequence number}, or {-1} when nothing
-- was removed.
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return {-1} end
local m = cjson.decode(cur)
if m.id ~= ARGV[2] then return {-1} end
if ARGV[3] ~= '' and m.pod ~= ARGV[3] then return {-1} end
local due = tonumber(ARGV[4])
if due > 0 and (m.parkedUntil == 0 or m.parkedUntil > due) then return {-1} end
redis.call('HDEL', KEYS[1], ARGV[1])
local seq = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return {redis.call('HLEN', KEYS[1]), cur, seq}
