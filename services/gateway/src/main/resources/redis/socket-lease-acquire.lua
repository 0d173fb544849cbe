-- A new socket from a client address: drops lapsed leases, refuses at the cap, else adds this one.
-- KEYS[1] the address's open sockets (GatewayKeys.sockets)
-- ARGV[1] now (epoch ms: leases that expired by then go), ARGV[2] this lease's expiry (epoch ms),
-- ARGV[3] the socket's member ('<replica>:<uuid>'), ARGV[4] most sockets per address,
-- ARGV[5] the lease (ms), how long the key outlives its last change
-- Returns 1 when granted, 0 at the cap.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
