-- Every room on a node must move: the node went DOWN, left discovery, or passed its drain
-- deadline. Their placements are removed (so the next placement request picks another node) and
-- one announcement listing them is appended to the stream signaling pods read.
-- KEYS[1] node hash, KEYS[2] node rooms set, KEYS[3] announcements stream
-- ARGV[1] key prefix, ARGV[2] node id, ARGV[3] new state ('' keeps it), ARGV[4] announcement type,
-- ARGV[5] reason, ARGV[6] now (epoch ms), ARGV[7] stream max length,
-- ARGV[8] 'drain-due' to evacuate only a node that is DRAINING, past its deadline and not yet
-- evacuated (checked here, atomically: an undrain or a later deadline may have come meanwhile)
-- Returns {1, room ids that must move...}, or {0} when nothing was done (no such node, or a drain
-- that is not due).
local prefix, nodeId, state = ARGV[1], ARGV[2], ARGV[3]
local current = redis.call('HMGET', KEYS[1], 'state', 'drainDeadline', 'evacuatedAt')
if not current[1] then
  return {0}
end
if ARGV[8] == 'drain-due' and (current[1] ~= 'DRAINING' or not current[2] or current[3]
    or tonumber(current[2]) > tonumber(ARGV[6])) then
  return {0}
end
if state ~= '' then
  redis.call('HSET', KEYS[1], 'state', state)
end
redis.call('HSET', KEYS[1], 'evacuatedAt', ARGV[6])
local rooms = redis.call('SMEMBERS', KEYS[2])
table.sort(rooms)
local load = KEYS[1]
-- (Redis refuses "-0" as an increment, so zero changes are skipped.)
local function decrement(field, by)
  if by ~= 0 then
    redis.call('HINCRBY', load, field, 0 - by)
  end
end
for _, roomId in ipairs(rooms) do
  local roomKey = prefix .. 'room:' .. roomId
  local r = redis.call('HMGET', roomKey, 'nodeId', 'expected', 'reported', 'participants')
  if r[1] == nodeId then
    local expected, reported = tonumber(r[2]) or 0, tonumber(r[3]) or 0
    decrement('reserved', math.max(0, expected - reported))
    decrement('endpoints', reported)
    decrement('participants', tonumber(r[4]) or 0)
    decrement('rooms', 1)
    redis.call('DEL', roomKey)
  end
end
redis.call('DEL', KEYS[2])
for _, field in ipairs({'reserved', 'endpoints', 'participants', 'rooms'}) do
  if (tonumber(redis.call('HGET', load, field)) or 0) < 0 then
    redis.call('HSET', load, field, 0)
  end
end
refreshCandidate(prefix, nodeId)
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[7], '*', 'type', ARGV[4], 'nodeId', nodeId,
  'rooms', table.concat(rooms, ','), 'reason', ARGV[5], 'at', ARGV[6])
table.insert(rooms, 1, 1)
return rooms
