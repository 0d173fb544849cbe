-- Deletes a room, only if it has no members (a join that lost the race starts over).
-- KEYS[1] the room's hash (SignalingKeys.room), KEYS[2] its members (SignalingKeys.roomMembers)
-- Returns the keys deleted (0 when the room still has members).
if redis.call('HLEN', KEYS[2]) == 0 then return redis.call('DEL', KEYS[1], KEYS[2]) end return 0
