-- One placement replica at a time polls a node: take or renew its monitor lease.
-- KEYS[1] lease key; ARGV[1] owner id, ARGV[2] ttl (ms)
-- Returns 1 when the caller holds the lease.
local owner = redis.call('GET', KEYS[1])
if owner == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not owner then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
