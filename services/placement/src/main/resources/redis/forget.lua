-- Removes a node that left discovery (its rooms were evacuated first). Refuses (returns 0) when
-- the node is not DOWN or holds rooms again: a poll in flight revived it after the evacuation, and
-- the next monitor cycle evacuates it again.
-- KEYS[1] nodes set, KEYS[2] node hash, KEYS[3] node rooms set
-- ARGV[1] node id, ARGV[2] key prefix
local state = redis.call('HGET', KEYS[2], 'state')
if state and (state ~= 'DOWN' or redis.call('SCARD', KEYS[3]) > 0) then
  return 0
end
redis.call('SREM', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2], KEYS[3])
refreshCandidate(ARGV[2], ARGV[1])
return 1
