-- Adds (or refreshes) a node in the registry; a new node starts SERVING but, with no heartbeat
-- yet, takes no rooms until its first good health poll.
-- KEYS[1] nodes set, KEYS[2] node hash
-- ARGV[1] node id, ARGV[2] url, ARGV[3] capacity (endpoints), ARGV[4] key prefix
-- Returns 1 when the node is new.
local added = redis.call('SADD', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], 'url', ARGV[2], 'capacity', ARGV[3])
redis.call('HSETNX', KEYS[2], 'state', 'SERVING')
redis.call('HSETNX', KEYS[2], 'heartbeat', 0)
refreshCandidate(ARGV[4], ARGV[1])
return added
