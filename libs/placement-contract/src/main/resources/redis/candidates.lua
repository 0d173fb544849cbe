-- Shared prelude of every placement script (prepended when a script is loaded).
-- Two derived indexes let a placement decision avoid reading every node's hash:
--   candidates         HASH node id -> "state heartbeat capacity used cpu"
--   candidates:scores  ZSET of the SERVING nodes by score (ties by id, as Redis orders members)
-- where used = max(endpoints, kmsEndpoints) + reserved and score = max(used / capacity, cpu).
-- Every script that changes one of those node fields calls refreshCandidate afterwards, so the
-- indexes always agree with the node hashes.
local function candidateScore(used, capacity, cpu)
  if capacity <= 0 then
    return 1
  end
  return math.max(used / capacity, cpu)
end

-- A score as ZADD must receive it: all 17 digits (Lua's own number formatting keeps only 14,
-- which would merge scores the Java selector tells apart).
local function exactScore(score)
  return string.format('%.17g', score)
end

local function refreshCandidate(prefix, nodeId)
  local n = redis.call('HMGET', prefix .. 'node:' .. nodeId, 'state', 'heartbeat', 'capacity', 'cpu',
    'kmsEndpoints', 'endpoints', 'reserved')
  if not n[1] then
    redis.call('HDEL', prefix .. 'candidates', nodeId)
    redis.call('ZREM', prefix .. 'candidates:scores', nodeId)
    return
  end
  local used = math.max(tonumber(n[6]) or 0, tonumber(n[5]) or 0) + math.max(0, tonumber(n[7]) or 0)
  local capacity, cpu = n[3] or '0', n[4] or '0'
  redis.call('HSET', prefix .. 'candidates', nodeId,
    n[1] .. ' ' .. (n[2] or '0') .. ' ' .. capacity .. ' ' .. used .. ' ' .. cpu)
  if n[1] == 'SERVING' then
    redis.call('ZADD', prefix .. 'candidates:scores', exactScore(candidateScore(used, tonumber(capacity), tonumber(cpu))),
      nodeId)
  else
    redis.call('ZREM', prefix .. 'candidates:scores', nodeId)
  end
end
