-- Closes, in the view, a room nothing has been heard of since a cutoff: its events were lost with
-- the pod that would have sent them (a crash between a room's last leave and its close, say), and
-- no signaling pod has it open any more (a live room is heard of at least every sweep: its
-- snapshot). Its members leave, the room closes, and the change stream says so as leaves and a close.
-- KEYS[1] the room (PresenceViewKeys.room), KEYS[2] its participants (roomParticipants), KEYS[3] the
-- open rooms (rooms), KEYS[4] when each open room was last heard of (heard), KEYS[5] the change
-- stream (changes)
-- ARGV[1] room id, ARGV[2] the cutoff (epoch ms: heard of before it, the room goes), ARGV[3] now
-- (epoch ms), ARGV[4] user key prefix (PresenceViewKeys.userPrefix), ARGV[5] changes kept
-- Returns how many participants it removed, or -1 when the room was heard of since (or is not open).
local heard = redis.call('ZSCORE', KEYS[4], ARGV[1])
if not heard or tonumber(heard) >= tonumber(ARGV[2]) then return -1 end
local seq = redis.call('HGET', KEYS[1], 'seq') or '0'
local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do
  local p = cjson.decode(all[i + 1])
  redis.call('HDEL', ARGV[4] .. p.identity, ARGV[1])
  redis.call('HSET', ARGV[4] .. p.identity, 'lastSeen', ARGV[3])
  redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[5], '*', 'type', 'PARTICIPANT_LEFT', 'roomId', ARGV[1],
      'sequence', seq, 'participant', all[i], 'identity', p.identity, 'audio', tostring(p.audio),
      'video', tostring(p.video), 'time', ARGV[3])
end
redis.call('DEL', KEYS[2])
redis.call('HDEL', KEYS[1], 'kmsNode', 'openedAt', 'name')
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[5], '*', 'type', 'ROOM_CLOSED', 'roomId', ARGV[1], 'sequence', seq,
    'participant', '', 'identity', '', 'audio', 'false', 'video', 'false', 'time', ARGV[3])
return #all / 2
