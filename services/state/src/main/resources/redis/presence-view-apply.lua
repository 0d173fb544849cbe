-- Applies one presence event to the view, exactly once in effect, and records the topic position
-- it came from in the same step.
-- KEYS[1] the event's id (PresenceViewKeys.event), KEYS[2] the room (PresenceViewKeys.room),
-- KEYS[3] its participants (PresenceViewKeys.roomParticipants), KEYS[4] the open rooms
-- (PresenceViewKeys.rooms), KEYS[5] the identity's presence (PresenceViewKeys.user), KEYS[6] the
-- room's sequence numbers (PresenceViewKeys.roomSequences), KEYS[7] the change stream
-- (PresenceViewKeys.changes), KEYS[8] the topic positions (PresenceViewKeys.positions), KEYS[9]
-- when each open room was last heard of (PresenceViewKeys.heard)
-- ARGV[1] type, ARGV[2] room id, ARGV[3] sequence number, ARGV[4] participant, ARGV[5] identity,
-- ARGV[6] KMS node, ARGV[7] audio, ARGV[8] video ('true'/'false'), ARGV[9] time (epoch ms),
-- ARGV[10] dedup TTL (s), ARGV[11] user key prefix (PresenceViewKeys.userPrefix), ARGV[12] changes
-- kept, ARGV[13] room name, ARGV[14] partition ('' for none), ARGV[15] offset, ARGV[16] a snapshot's
-- members (JSON array of {participant identity audio video connected joinedAt}; '' for other types)
-- Returns the outcome: APPLIED, APPLIED_OUT_OF_ORDER, APPLIED_AFTER_GAP, STALE or DUPLICATE.
--
-- Events of one room may arrive out of order (two signaling pods send them), so each participant,
-- and the room itself, remembers the sequence number of the last event applied to it (KEYS[6]:
-- '@name' for joins and leaves, '~name' for media and connection state, '#room'/'#closed' for the
-- room; kept after a leave or a close as tombstones): an event older than that changes nothing,
-- whatever else arrived between. A state change that arrives before its participant's join is
-- dropped (the join's state stands until the next change). The room's seq is the highest applied.
-- Nothing is written unless every key is of its kind: a failure halfway would leave the event
-- marked as seen (KEYS[1]) without its effect, and its retry would be taken for a duplicate.
--
-- A ROOM_SNAPSHOT is the room's members as Redis held them when its number was taken (in the same
-- step): every change numbered before it is in it. So the view takes the snapshot's word for every
-- participant it knows nothing newer of, and from then on any event numbered below the snapshot
-- ('#snapshot', a floor like '#closed') is stale. Events a crashed pod never sent are made good this
-- way: a member whose leave was lost is removed, one whose join was lost is added. Only differences
-- are written to the change stream, as the joins, leaves and changes they amount to.
local kinds = {'string', 'hash', 'hash', 'zset', 'hash', 'hash', 'stream', 'hash', 'zset'}
for i, kind in ipairs(kinds) do
  local found = redis.call('TYPE', KEYS[i]).ok
  if found ~= 'none' and found ~= kind then
    return redis.error_reply('WRONGTYPE ' .. KEYS[i] .. ' holds a ' .. found .. ', not a ' .. kind)
  end
end
if ARGV[14] ~= '' then
  local at = tonumber(redis.call('HGET', KEYS[8], ARGV[14]) or '-1')
  if tonumber(ARGV[15]) > at then redis.call('HSET', KEYS[8], ARGV[14], ARGV[15]) end
end
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[10]) then return 'DUPLICATE' end
local seq = tonumber(ARGV[3])
local t = ARGV[1]
local name = ARGV[4]
local time = tonumber(ARGV[9])
local roomEvent = (t == 'ROOM_OPENED' or t == 'ROOM_CLOSED')
local membership = (t == 'PARTICIPANT_JOINED' or t == 'PARTICIPANT_LEFT')
local closed = tonumber(redis.call('HGET', KEYS[6], '#closed') or '0')
local floor = tonumber(redis.call('HGET', KEYS[6], '#snapshot') or '0')
if seq <= floor then return 'STALE' end
local own
if t == 'ROOM_SNAPSHOT' then
  own = closed
elseif roomEvent then
  own = tonumber(redis.call('HGET', KEYS[6], '#room') or '0')
else
  own = tonumber(redis.call('HGET', KEYS[6], '@' .. name) or '0')
  if not membership then
    own = math.max(own, tonumber(redis.call('HGET', KEYS[6], '~' .. name) or '0'))
  end
end
if seq <= own or (not roomEvent and seq <= closed) then return 'STALE' end
-- A state change of someone not (yet) in the view changes nothing, and marks nothing.
if t ~= 'ROOM_SNAPSHOT' and not roomEvent and not membership and redis.call('HEXISTS', KEYS[3], name) == 0 then
  return 'STALE'
end
if t == 'ROOM_SNAPSHOT' then
  redis.call('HSET', KEYS[6], '#snapshot', seq)
else
  redis.call('HSET', KEYS[6], roomEvent and '#room' or ((membership and '@' or '~') .. name), seq)
end
redis.call('PEXPIRE', KEYS[6], 7 * 24 * 3600 * 1000)
local max = tonumber(redis.call('HGET', KEYS[2], 'seq') or '0')
local outcome = 'APPLIED'
if seq < max then outcome = 'APPLIED_OUT_OF_ORDER'
elseif max > 0 and seq > max + 1 then outcome = 'APPLIED_AFTER_GAP' end
if seq > max then redis.call('HSET', KEYS[2], 'seq', seq) end
local function userOf(identity)
  return ARGV[11] .. identity
end
local function open()
  if redis.call('ZSCORE', KEYS[4], ARGV[2]) == false then
    redis.call('ZADD', KEYS[4], time, ARGV[2])
    redis.call('HSET', KEYS[2], 'openedAt', time)
  end
  if ARGV[6] ~= '' then redis.call('HSET', KEYS[2], 'kmsNode', ARGV[6]) end
  if ARGV[13] ~= '' then redis.call('HSET', KEYS[2], 'name', ARGV[13]) end
end
local function change(type, who, identity, audio, video)
  redis.call('XADD', KEYS[7], 'MAXLEN', '~', ARGV[12], '*', 'type', type, 'roomId', ARGV[2], 'sequence', seq,
      'participant', who, 'identity', identity, 'audio', tostring(audio), 'video', tostring(video), 'time', ARGV[9])
end
local function setState(state)
  local cur = redis.call('HGET', KEYS[3], name)
  if not cur then return end
  local p = cjson.decode(cur)
  p.state = state
  redis.call('HSET', KEYS[3], name, cjson.encode(p))
  redis.call('HSET', userOf(p.identity), ARGV[2],
      cjson.encode({participant = name, state = state, since = time}))
  redis.call('HSET', userOf(p.identity), 'lastSeen', time)
end
if t == 'ROOM_OPENED' then
  open()
elseif t == 'ROOM_CLOSED' then
  redis.call('HSET', KEYS[6], '#closed', seq)
  local all = redis.call('HGETALL', KEYS[3])
  for i = 1, #all, 2 do
    local p = cjson.decode(all[i + 1])
    local pseq = tonumber(redis.call('HGET', KEYS[6], '@' .. all[i]) or '0')
    if pseq < seq then
      redis.call('HDEL', KEYS[3], all[i])
      redis.call('HDEL', userOf(p.identity), ARGV[2])
      redis.call('HSET', userOf(p.identity), 'lastSeen', time)
    end
  end
  if redis.call('HLEN', KEYS[3]) == 0 then
    redis.call('HDEL', KEYS[2], 'kmsNode', 'openedAt', 'name')
    redis.call('ZREM', KEYS[4], ARGV[2])
  end
elseif t == 'ROOM_SNAPSHOT' then
  open()
  local listed = {}
  for _, m in ipairs(cjson.decode(ARGV[16])) do
    local who = m.participant
    listed[who] = true
    local joinedSince = tonumber(redis.call('HGET', KEYS[6], '@' .. who) or '0')
    local changedSince = tonumber(redis.call('HGET', KEYS[6], '~' .. who) or '0')
    local state = m.connected and 'connected' or 'disconnected'
    local cur = redis.call('HGET', KEYS[3], who)
    if joinedSince < seq and not cur then
      redis.call('HSET', KEYS[6], '@' .. who, seq, '~' .. who, seq)
      redis.call('HSET', KEYS[3], who, cjson.encode({identity = m.identity, audio = m.audio, video = m.video,
          joinedAt = m.joinedAt, state = state}))
      redis.call('HSET', userOf(m.identity), ARGV[2], cjson.encode({participant = who, state = state, since = time}))
      redis.call('HSET', userOf(m.identity), 'lastSeen', time)
      change('PARTICIPANT_JOINED', who, m.identity, m.audio, m.video)
      if state ~= 'connected' then change('PARTICIPANT_DISCONNECTED', who, m.identity, m.audio, m.video) end
    elseif cur and math.max(joinedSince, changedSince) < seq then
      local p = cjson.decode(cur)
      if p.audio ~= m.audio or p.video ~= m.video or p.state ~= state then
        redis.call('HSET', KEYS[6], '~' .. who, seq)
        local was = p.state
        p.audio = m.audio
        p.video = m.video
        p.state = state
        redis.call('HSET', KEYS[3], who, cjson.encode(p))
        if was ~= state then
          redis.call('HSET', userOf(p.identity), ARGV[2], cjson.encode({participant = who, state = state, since = time}))
          redis.call('HSET', userOf(p.identity), 'lastSeen', time)
          change(state == 'connected' and 'PARTICIPANT_RESUMED' or 'PARTICIPANT_DISCONNECTED', who, p.identity,
              m.audio, m.video)
        else
          change('PARTICIPANT_MEDIA_CHANGED', who, p.identity, m.audio, m.video)
        end
      end
    end
  end
  local all = redis.call('HGETALL', KEYS[3])
  for i = 1, #all, 2 do
    local who = all[i]
    if not listed[who] and tonumber(redis.call('HGET', KEYS[6], '@' .. who) or '0') < seq then
      local p = cjson.decode(all[i + 1])
      redis.call('HDEL', KEYS[3], who)
      redis.call('HSET', KEYS[6], '@' .. who, seq)
      redis.call('HDEL', userOf(p.identity), ARGV[2])
      redis.call('HSET', userOf(p.identity), 'lastSeen', time)
      change('PARTICIPANT_LEFT', who, p.identity, p.audio, p.video)
    end
  end
elseif t == 'PARTICIPANT_JOINED' then
  open()
  redis.call('HSET', KEYS[3], name, cjson.encode({identity = ARGV[5], audio = ARGV[7] == 'true',
      video = ARGV[8] == 'true', joinedAt = time, state = 'connected'}))
  redis.call('HSET', KEYS[5], ARGV[2], cjson.encode({participant = name, state = 'connected', since = time}))
  redis.call('HSET', KEYS[5], 'lastSeen', time)
elseif t == 'PARTICIPANT_MEDIA_CHANGED' then
  local cur = redis.call('HGET', KEYS[3], name)
  if cur then
    local p = cjson.decode(cur)
    p.audio = ARGV[7] == 'true'
    p.video = ARGV[8] == 'true'
    redis.call('HSET', KEYS[3], name, cjson.encode(p))
  end
elseif t == 'PARTICIPANT_DISCONNECTED' then
  setState('disconnected')
elseif t == 'PARTICIPANT_RESUMED' then
  setState('connected')
elseif t == 'PARTICIPANT_LEFT' then
  local cur = redis.call('HGET', KEYS[3], name)
  if cur then
    local p = cjson.decode(cur)
    redis.call('HDEL', userOf(p.identity), ARGV[2])
    redis.call('HSET', userOf(p.identity), 'lastSeen', time)
  end
  redis.call('HDEL', KEYS[3], name)
end
if t ~= 'ROOM_SNAPSHOT' then
  redis.call('XADD', KEYS[7], 'MAXLEN', '~', ARGV[12], '*', 'type', t, 'roomId', ARGV[2], 'sequence', seq,
      'participant', name, 'identity', ARGV[5], 'audio', ARGV[7], 'video', ARGV[8], 'time', ARGV[9])
end
-- Heard of: an open room's newest event time (what the view's expiry goes by); a closed one is not kept.
if redis.call('ZSCORE', KEYS[4], ARGV[2]) then
  redis.call('ZADD', KEYS[9], 'GT', time, ARGV[2])
else
  redis.call('ZREM', KEYS[9], ARGV[2])
end
return outcome
