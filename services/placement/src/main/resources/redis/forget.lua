-- Removes a node that left discovery (its rooms were evacuated first).
-- KEYS[1] nodes set, KEYS[2] node hash, KEYS[3] node rooms set
-- ARGV[1] node id, ARGV[2] key prefix
redis.call('SREM', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2], KEYS[3])
refreshCandidate(ARGV[2], ARGV[1])
return 1
