-- A room ended: its placement goes and the load it held on its node is freed.
-- KEYS[1] room hash
-- ARGV[1] key prefix, ARGV[2] room id
-- Returns 1 when the room was placed, 0 otherwise.
local prefix, roomId = ARGV[1], ARGV[2]
local r = redis.call('HMGET', KEYS[1], 'nodeId', 'expected', 'reported', 'participants')
if not r[1] then
  return 0
end
local expected, reported, participants = tonumber(r[2]) or 0, tonumber(r[3]) or 0, tonumber(r[4]) or 0
local load = prefix .. 'node:' .. r[1]
local function decrement(field, by)
  -- (Redis refuses "-0" as an increment, so zero changes are skipped.)
  if by ~= 0 and redis.call('HINCRBY', load, field, 0 - by) < 0 then
    redis.call('HSET', load, field, 0)
  end
end
decrement('reserved', math.max(0, expected - reported))
decrement('endpoints', reported)
decrement('participants', participants)
decrement('rooms', 1)
redis.call('SREM', prefix .. 'node:' .. r[1] .. ':rooms', roomId)
redis.call('DEL', KEYS[1])
refreshCandidate(prefix, r[1])
return 1
