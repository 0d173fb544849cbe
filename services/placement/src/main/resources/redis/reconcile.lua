-- Keeps a node's counters honest: reservations of rooms that never reported endpoints expire,
-- and, when placement's monitor has found the reported endpoint count drifting from what KMS
-- itself says, KMS's count replaces it.
-- KEYS[1] node hash, KEYS[2] node rooms set
-- ARGV[1] key prefix, ARGV[2] now (epoch ms), ARGV[3] reservation ttl (ms),
-- ARGV[4] KMS's endpoint count, or -1 to leave the endpoint counter alone, ARGV[5] node id
-- Returns {reservations expired, endpoint counter before}.
local prefix, now, ttl, truth = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {0, 0}
end
local expired = 0
for _, roomId in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local roomKey = prefix .. 'room:' .. roomId
  local r = redis.call('HMGET', roomKey, 'placedAt', 'expected', 'reported')
  local placedAt, expected, reported = tonumber(r[1]), tonumber(r[2]) or 0, tonumber(r[3]) or 0
  if placedAt and now - placedAt > ttl and expected > reported then
    redis.call('HSET', roomKey, 'expected', reported)
    redis.call('HINCRBY', KEYS[1], 'reserved', reported - expected)
    expired = expired + 1
  end
end
if (tonumber(redis.call('HGET', KEYS[1], 'reserved')) or 0) < 0 then
  redis.call('HSET', KEYS[1], 'reserved', 0)
end
local before = tonumber(redis.call('HGET', KEYS[1], 'endpoints')) or 0
if truth >= 0 then
  redis.call('HSET', KEYS[1], 'endpoints', truth)
end
refreshCandidate(prefix, ARGV[5])
return {expired, before}
