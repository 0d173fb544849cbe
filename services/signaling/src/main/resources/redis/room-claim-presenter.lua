-- Makes someone the presenter of a broadcast room, unless someone else presents.
-- KEYS[1] the room's hash (SignalingKeys.room)
-- ARGV[1] who ('memberId name')
-- Returns 1 when who presents now (claimed, or already theirs), 0 otherwise (or no such room).
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local cur = redis.call('HGET', KEYS[1], 'presenter')
if not cur then redis.call('HSET', KEYS[1], 'presenter', ARGV[1]) return 1 end
if cur == ARGV[1] then return 1 end
return 0
