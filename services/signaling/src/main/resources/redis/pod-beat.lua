-- A pod's heartbeat: renews its alive key and makes sure it is among the known pods.
-- KEYS[1] the pod's alive key (SignalingKeys.podAlive), KEYS[2] the known pods (SignalingKeys.pods)
-- ARGV[1] pod, ARGV[2] TTL (ms)
-- Returns 1 when the pod was alive already, 0 when this beat brought it (back) to life.
local existed = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
return existed
