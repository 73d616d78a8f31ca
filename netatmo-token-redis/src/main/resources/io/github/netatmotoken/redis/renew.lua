-- Renews a lease only if it is still ours.
-- KEYS[1] the lease; ARGV[1] our value (holder and a random token); ARGV[2] the time to live in milliseconds.
-- Returns 1 if renewed, 0 if the lease ran out or another holder has it.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
