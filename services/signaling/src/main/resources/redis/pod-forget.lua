-- Forgets a dead pod once a live one has cleaned up after it, unless it came back meanwhile. The
-- claim goes either way: the work is done.
-- KEYS[1] the pod's alive key (SignalingKeys.podAlive), KEYS[2] the known pods (SignalingKeys.pods),
-- KEYS[3] the pod's members (SignalingKeys.podMembers), KEYS[4] the claim on it (SignalingKeys.podClaim)
-- ARGV[1] pod
-- Returns 1 when forgotten, 0 when the pod is alive again.
redis.call('DEL', KEYS[4])
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[3])
return 1
