-- A room as it stands, for its presence snapshot: its record and members, read in the same step
-- that takes the room's next sequence number, so every change numbered before the snapshot is in
-- it and every change numbered after comes after it (joins and leaves are numbered in their own
-- step; other events after their change is written). Nothing is numbered for a room with no record.
-- KEYS[1] the room's hash (SignalingKeys.room), KEYS[2] its members (SignalingKeys.roomMembers),
-- KEYS[3] its sequence counter (SignalingKeys.roomSequence)
-- ARGV[1] how long the counter is kept after this (ms)
-- Returns {} for no record, else {sequence, nodeId, kmsUrl, pipelineId, name, record, name, record, ...}.
local room = redis.call('HMGET', KEYS[1], 'nodeId', 'kmsUrl', 'pipelineId')
if not room[3] then return {} end
local seq = redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], ARGV[1])
local answer = redis.call('HGETALL', KEYS[2])
table.insert(answer, 1, room[3])
table.insert(answer, 1, room[2] or '')
table.insert(answer, 1, room[1] or '')
table.insert(answer, 1, seq)
return answer
