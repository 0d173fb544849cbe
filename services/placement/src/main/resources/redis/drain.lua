-- Drains a node (no new rooms; existing ones stay until the deadline) or ends a drain.
-- 'drain-serving' drains only a SERVING node and leaves everything else as it is (a terminating
-- pod: a deadline its preStop hook set in the meantime must survive).
-- KEYS[1] node hash
-- ARGV[1] 'drain' | 'drain-serving' | 'undrain', ARGV[2] deadline (epoch ms) or '' for none, ARGV[3] key prefix,
-- ARGV[4] node id
-- Returns the new state, or 'unknown' for an unregistered node.
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  return 'unknown'
end
if ARGV[1] == 'drain-serving' then
  if state == 'SERVING' then
    redis.call('HSET', KEYS[1], 'state', 'DRAINING', 'drainRequested', 1)
  end
elseif ARGV[1] == 'drain' then
  -- A DOWN node stays DOWN; drainRequested makes it come back DRAINING.
  if state ~= 'DOWN' then
    redis.call('HSET', KEYS[1], 'state', 'DRAINING')
  end
  redis.call('HSET', KEYS[1], 'drainRequested', 1)
  redis.call('HDEL', KEYS[1], 'evacuatedAt')
  if ARGV[2] ~= '' then
    redis.call('HSET', KEYS[1], 'drainDeadline', ARGV[2])
  else
    redis.call('HDEL', KEYS[1], 'drainDeadline')
  end
else
  if state == 'DRAINING' then
    redis.call('HSET', KEYS[1], 'state', 'SERVING')
  end
  redis.call('HDEL', KEYS[1], 'drainDeadline', 'evacuatedAt', 'drainRequested')
end
refreshCandidate(ARGV[3], ARGV[4])
return redis.call('HGET', KEYS[1], 'state')
