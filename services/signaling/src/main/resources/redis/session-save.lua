-- Saves a resume token's owner and its TTL in one step: never a session key that lives for ever.
-- KEYS[1] the session (SignalingKeys.session)
-- ARGV[1] room id, ARGV[2] participant name, ARGV[3] TTL (ms), ARGV[4] room name as typed
-- Returns 1.
redis.call('HSET', KEYS[1], 'room', ARGV[1], 'name', ARGV[2], 'roomName', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
