-- Pushes a live socket's lease forward, only if it is still there (a lapsed one stays gone).
-- KEYS[1] the address's open sockets (GatewayKeys.sockets)
-- ARGV[1] the new expiry (epoch ms), ARGV[2] the socket's member, ARGV[3] the lease (ms), how long
-- the key outlives this change
-- Returns the members changed: 1 when the lease moved, 0 when the member was gone.
local n = redis.call('ZADD', KEYS[1], 'XX', 'CH', ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return n
