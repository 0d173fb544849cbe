-- A signaling pod reports endpoints / participants added or removed in a room.
-- KEYS[1] room hash
-- ARGV[1] key prefix, ARGV[2] room id, ARGV[3] node id the reporter used,
-- ARGV[4] endpoint delta, ARGV[5] participant delta
-- The room's outstanding reservation (expected - reported) shrinks as real endpoints appear, so
-- the node's load (endpoints + reserved) stays right without double counting.
local prefix, roomId, nodeId = ARGV[1], ARGV[2], ARGV[3]
local dEndpoints, dParticipants = tonumber(ARGV[4]), tonumber(ARGV[5])
local r = redis.call('HMGET', KEYS[1], 'nodeId', 'expected', 'reported', 'participants')
if not r[1] then
  return 'not-placed'
end
if r[1] ~= nodeId then
  return 'moved'
end
local expected = tonumber(r[2]) or 0
local reported = tonumber(r[3]) or 0
local participants = tonumber(r[4]) or 0
local newReported = math.max(0, reported + dEndpoints)
local newParticipants = math.max(0, participants + dParticipants)
local before = math.max(0, expected - reported)
local after = math.max(0, expected - newReported)
redis.call('HSET', KEYS[1], 'reported', newReported, 'participants', newParticipants)
local load = prefix .. 'node:' .. nodeId
redis.call('HINCRBY', load, 'endpoints', newReported - reported)
redis.call('HINCRBY', load, 'participants', newParticipants - participants)
redis.call('HINCRBY', load, 'reserved', after - before)
refreshCandidate(prefix, nodeId)
return 'ok'
