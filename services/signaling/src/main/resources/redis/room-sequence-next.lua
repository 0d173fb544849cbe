-- The next sequence number of a room's events; the counter is kept a while after the last one.
-- KEYS[1] the room's counter (SignalingKeys.roomSequence)
-- ARGV[1] how long the counter is kept after this event (ms)
-- Returns the new sequence number.
local n = redis.call('INCR', KEYS[1]) redis.call('PEXPIRE', KEYS[1], ARGV[1]) return n
