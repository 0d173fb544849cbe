-- Saves a room's media location, only while the caller still holds the room's lock: an opener or
-- rebuilder whose lock lapsed while it waited on placement or KMS must not overwrite the record of
-- the pod that took the lock after it (fencing; that pod's pipeline is the room's).
-- KEYS[1] the room's lock (SignalingKeys.roomLock), KEYS[2] the room (SignalingKeys.room)
-- ARGV[1] the owner the lock was taken with, ARGV[2] nodeId, ARGV[3] kmsUrl, ARGV[4] pipelineId,
-- ARGV[5] the room's opener (SignalingKeys.openings; empty: left as it is, as by a rebuild)
-- Returns 1 when saved, 0 when the lock is not the caller's (nothing changed).
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[2], 'nodeId', ARGV[2], 'kmsUrl', ARGV[3], 'pipelineId', ARGV[4])
if ARGV[5] ~= '' then redis.call('HSET', KEYS[2], 'opener', ARGV[5]) end
return 1
