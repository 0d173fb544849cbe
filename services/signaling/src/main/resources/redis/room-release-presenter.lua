-- Ends a presentation, only if who still presents.
-- KEYS[1] the room's hash (SignalingKeys.room)
-- ARGV[1] who ('memberId name')
-- Returns 1 when released, 0 otherwise.
if redis.call('HGET', KEYS[1], 'presenter') == ARGV[1] then return redis.call('HDEL', KEYS[1], 'presenter') end return 0
