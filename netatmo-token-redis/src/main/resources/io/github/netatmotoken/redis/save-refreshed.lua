-- Stores what a refresh returned: a compare-and-set on the generation of the token that was spent.
-- KEYS[1] the token hash; ARGV[1] the change channel; ARGV[2] the generation the caller read the spent token at, or
-- '' if it does not know it; ARGV[3] the spent refresh token; ARGV[4..6] the fresh
-- access token, refresh token, expiry.
-- Returns {1, generation} if the fresh token is stored (also if it already was: a retried write that had landed),
-- {0, generation} if the hash has moved on (or never held the spent token).
local generation = generation_of(KEYS[1])
if generation > 0 and holds(KEYS[1], ARGV[4], ARGV[5], ARGV[6]) then
  return {1, generation}
end
-- The hash still holding the spent refresh token is as good as the generation: refresh tokens rotate, so nobody
-- stored a successor of it (also when the hash was written again with the same token since).
local expected = tonumber(ARGV[2])
local holds_spent = ARGV[3] ~= '' and redis.call('HGET', KEYS[1], 'refresh_token') == ARGV[3]
if generation == 0 or (expected ~= generation and not holds_spent) then
  return {0, generation}
end
return {1, write_token(KEYS[1], ARGV[1], ARGV[4], ARGV[5], ARGV[6])}
