-- Picks a KMS node for a room and reserves its expected load, atomically: concurrent callers for
-- the same room get the same node, and no node is booked past its capacity.
-- KEYS[1] candidates index, KEYS[2] room hash, KEYS[3] candidate scores
-- ARGV[1] key prefix, ARGV[2] room id, ARGV[3] expected endpoints, ARGV[4] now (epoch ms),
-- ARGV[5] heartbeat staleness limit (ms), ARGV[6] strategy ('least-loaded' | 'power-of-two'),
-- ARGV[7], ARGV[8] non-negative random integers (power-of-two's two draws)
-- Returns {'existing'|'placed', nodeId, url, placedAt} or {'full', nodes, serving, fresh, largest
-- capacity of any node}.
-- The selection rules mirror io.switchboard.placement.domain.NodeSelector and its implementations
-- (PlacementScriptAgreementIT checks that both choose the same node). This is placement's hot
-- path: least-loaded walks the score index from the lowest score and usually stops at the first
-- node; power-of-two reads the candidates index, one command for all nodes.
local call, tonumber, match = redis.call, tonumber, string.match
local prefix, roomId = ARGV[1], ARGV[2]
local expected = tonumber(ARGV[3])
local now, stale = tonumber(ARGV[4]), tonumber(ARGV[5])

local existing = call('HGET', KEYS[2], 'nodeId')
if existing then
  local r = call('HMGET', KEYS[2], 'url', 'placedAt')
  return {'existing', existing, r[1], r[2]}
end

-- Whether an index entry can take the room now; returns its fields when it can.
local function eligible(entry)
  local state, heartbeat, capacity, used, cpu = match(entry, '^(%S+) (%S+) (%S+) (%S+) (%S+)$')
  if state ~= 'SERVING' or now - heartbeat > stale then
    return nil
  end
  capacity, used = capacity + 0, used + 0
  if capacity <= 0 or used + expected > capacity then
    return nil
  end
  return {heartbeat, capacity, used, cpu}
end

local chosenId, chosen
if ARGV[6] == 'power-of-two' then
  local flat = call('HGETALL', KEYS[1])
  local entries, ids = {}, {}
  for i = 1, #flat, 2 do
    entries[flat[i]] = flat[i + 1]
    ids[#ids + 1] = flat[i]
  end
  table.sort(ids)
  local candIds, cand = {}, {}
  for i = 1, #ids do
    local fields = eligible(entries[ids[i]])
    if fields then
      candIds[#candIds + 1] = ids[i]
      cand[#cand + 1] = fields
    end
  end
  local count = #candIds
  if count == 1 then
    chosenId, chosen = candIds[1], cand[1]
  elseif count > 1 then
    local i = tonumber(ARGV[7]) % count
    local j = tonumber(ARGV[8]) % (count - 1)
    if j >= i then j = j + 1 end
    local a, b = i + 1, j + 1
    local scoreA = candidateScore(cand[a][3], cand[a][2], cand[a][4] + 0)
    local scoreB = candidateScore(cand[b][3], cand[b][2], cand[b][4] + 0)
    -- better: lower score, then lower id
    if scoreA < scoreB or (scoreA == scoreB and candIds[a] < candIds[b]) then
      chosenId, chosen = candIds[a], cand[a]
    else
      chosenId, chosen = candIds[b], cand[b]
    end
  end
else
  -- The score index is ordered by score, then id: the first eligible node is the least loaded.
  local start = 0
  while not chosenId do
    local batch = call('ZRANGE', KEYS[3], start, start + 7)
    if #batch == 0 then
      break
    end
    for k = 1, #batch do
      local entry = call('HGET', KEYS[1], batch[k])
      local fields = entry and eligible(entry)
      if fields then
        chosenId, chosen = batch[k], fields
        break
      end
    end
    start = start + 8
  end
end

if not chosenId then
  local flat = call('HGETALL', KEYS[1])
  local serving, fresh, largest = 0, 0, 0
  for i = 2, #flat, 2 do
    local state, heartbeat, capacity = match(flat[i], '^(%S+) (%S+) (%S+)')
    if capacity + 0 > largest then
      largest = capacity + 0
    end
    if state == 'SERVING' then
      serving = serving + 1
      if now - heartbeat <= stale then
        fresh = fresh + 1
      end
    end
  end
  return {'full', #flat / 2, serving, fresh, largest}
end

local nodeKey = prefix .. 'node:' .. chosenId
local url = call('HGET', nodeKey, 'url')
call('HINCRBY', nodeKey, 'reserved', expected)
call('HINCRBY', nodeKey, 'rooms', 1)
-- The index entries follow from what was just read: only "used" grew.
local used = chosen[3] + expected
call('HSET', KEYS[1], chosenId, 'SERVING ' .. chosen[1] .. ' ' .. chosen[2] .. ' ' .. used .. ' ' .. chosen[4])
call('ZADD', KEYS[3], exactScore(candidateScore(used, chosen[2], chosen[4] + 0)), chosenId)
call('HSET', KEYS[2], 'nodeId', chosenId, 'url', url, 'placedAt', ARGV[4],
  'expected', expected, 'reported', 0, 'participants', 0)
call('SADD', nodeKey .. ':rooms', roomId)
return {'placed', chosenId, url, ARGV[4]}
