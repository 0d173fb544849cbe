-- Records one health poll of a node.
-- KEYS[1] node hash
-- ARGV[1] 'ok' | 'fail', ARGV[2] now (epoch ms), ARGV[3] failures before DOWN,
-- ARGV[4] cpu fraction, ARGV[5] KMS endpoints, ARGV[6] KMS pipelines (the last three for 'ok'),
-- ARGV[7] key prefix, ARGV[8] node id
-- Returns 'ok', 'recovered' (was DOWN, answers again: SERVING, or DRAINING when a drain was asked
-- for meanwhile), 'failing', 'down' (just became DOWN: the caller evacuates it) or 'unknown' (the
-- node is not registered).
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  return 'unknown'
end
if ARGV[1] == 'ok' then
  redis.call('HSET', KEYS[1], 'heartbeat', ARGV[2], 'cpu', ARGV[4], 'kmsEndpoints', ARGV[5],
    'kmsPipelines', ARGV[6], 'failures', 0)
  if state == 'DOWN' then
    local draining = redis.call('HEXISTS', KEYS[1], 'drainRequested') == 1
    redis.call('HSET', KEYS[1], 'state', draining and 'DRAINING' or 'SERVING')
    redis.call('HDEL', KEYS[1], 'evacuatedAt')
    refreshCandidate(ARGV[7], ARGV[8])
    return 'recovered'
  end
  refreshCandidate(ARGV[7], ARGV[8])
  return 'ok'
end
-- A node that cannot be read keeps its last figures: it must never look idle.
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
if state ~= 'DOWN' and failures >= tonumber(ARGV[3]) then
  return 'down'
end
return 'failing'
