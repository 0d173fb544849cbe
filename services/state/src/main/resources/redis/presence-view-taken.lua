-- Records that a topic position was taken in without an event to apply (a dead-lettered record);
-- positions only move forward.
-- KEYS[1] the topic positions (PresenceViewKeys.positions)
-- ARGV[1] partition, ARGV[2] offset
-- Returns 1 when the position moved, 0 when it was there or past it already.
local at = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
if tonumber(ARGV[2]) > at then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return 1 end
return 0
