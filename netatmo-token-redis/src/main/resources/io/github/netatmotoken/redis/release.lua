-- Releases a lease only if it is still ours: compare and delete.
-- KEYS[1] the lease; ARGV[1] our value (holder and a random token).
-- Returns 1 if released, 0 if it had run out or another holder has it.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
