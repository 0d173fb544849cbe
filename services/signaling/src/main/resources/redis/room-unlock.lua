-- Releases a room's lock, only if the caller still holds it (it may have lapsed and been taken).
-- KEYS[1] the room's lock (SignalingKeys.roomLock)
-- ARGV[1] the owner the lock was taken with
-- Returns 1 when the lock was released, 0 otherwise.
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0
