-- Picks a KMS node for a room and reserves its expected load, atomically: concurrent callers for
-- the same room get the same node, and no node is booked past its capacity.
-- KEYS[1] nodes set, KEYS[2] room hash
-- ARGV[1] key prefix, ARGV[2] room id, ARGV[3] expected endpoints, ARGV[4] now (epoch ms),
-- ARGV[5] heartbeat staleness limit (ms), ARGV[6] strategy ('least-loaded' | 'power-of-two'),
-- ARGV[7], ARGV[8] non-negative random integers (power-of-two's two draws)
-- Returns {'existing'|'placed', nodeId, url, placedAt} or {'full', nodes, serving, fresh}.
-- The selection rules mirror io.switchboard.placement.domain.NodeSelector and its implementations
-- (PlacementScriptAgreementIT checks that both choose the same node).
local prefix, roomId = ARGV[1], ARGV[2]
local expected = tonumber(ARGV[3])
local now, stale = tonumber(ARGV[4]), tonumber(ARGV[5])
local strategy = ARGV[6]
local r1, r2 = tonumber(ARGV[7]), tonumber(ARGV[8])

local existing = redis.call('HMGET', KEYS[2], 'nodeId', 'url', 'placedAt')
if existing[1] then
  return {'existing', existing[1], existing[2], existing[3]}
end

local ids = redis.call('SMEMBERS', KEYS[1])
table.sort(ids)
local candidates = {}
local serving, fresh = 0, 0
for _, id in ipairs(ids) do
  local n = redis.call('HMGET', prefix .. 'node:' .. id, 'url', 'state', 'capacity', 'heartbeat', 'cpu', 'kmsEndpoints')
  if n[2] == 'SERVING' then
    serving = serving + 1
    local heartbeat = tonumber(n[4]) or 0
    if now - heartbeat <= stale then
      fresh = fresh + 1
      local l = redis.call('HMGET', prefix .. 'load:' .. id, 'endpoints', 'reserved')
      local capacity = tonumber(n[3]) or 0
      local used = math.max(tonumber(l[1]) or 0, tonumber(n[6]) or 0) + math.max(0, tonumber(l[2]) or 0)
      if capacity > 0 and used + expected <= capacity then
        local score = math.max(used / capacity, tonumber(n[5]) or 0)
        candidates[#candidates + 1] = {id = id, url = n[1], load = used, score = score}
      end
    end
  end
end

local function better(a, b)
  if a.score ~= b.score then return a.score < b.score end
  if a.load ~= b.load then return a.load < b.load end
  return a.id < b.id
end

local count = #candidates
if count == 0 then
  return {'full', #ids, serving, fresh}
end
local chosen
if strategy == 'power-of-two' and count > 1 then
  local i = r1 % count
  local j = r2 % (count - 1)
  if j >= i then j = j + 1 end
  local a, b = candidates[i + 1], candidates[j + 1]
  if better(a, b) then chosen = a else chosen = b end
else
  chosen = candidates[1]
  for k = 2, count do
    if better(candidates[k], chosen) then chosen = candidates[k] end
  end
end

local load = prefix .. 'load:' .. chosen.id
redis.call('HINCRBY', load, 'reserved', expected)
redis.call('HINCRBY', load, 'rooms', 1)
redis.call('HSET', KEYS[2], 'nodeId', chosen.id, 'url', chosen.url, 'placedAt', ARGV[4],
  'expected', expected, 'reported', 0, 'participants', 0)
redis.call('SADD', prefix .. 'node:' .. chosen.id .. ':rooms', roomId)
return {'placed', chosen.id, chosen.url, ARGV[4]}
