-- A consistent snapshot of every node: {id, node hash as a flat list}.
-- KEYS[1] nodes set; ARGV[1] key prefix
local ids = redis.call('SMEMBERS', KEYS[1])
table.sort(ids)
local out = {}
for _, id in ipairs(ids) do
  out[#out + 1] = {id, redis.call('HGETALL', ARGV[1] .. 'node:' .. id)}
end
return out
