-- Stores what a refresh returned: a compare-and-set on the generation of the token that was spent.
-- KEYS[1] the token hash; ARGV[1] the change channel; ARGV[2] the generation the caller read the spent token at, or
-- '' if it does not know it; ARGV[3] the spent refresh token (used only without ARGV[2]); ARGV[4..6] the fresh
-- access token, refresh token, expiry.
-- Returns {1, generation} if the fresh token is stored (also if it already was: a retried write that had landed),
-- {0, generation} if the hash has moved on (or never held the spent token).
local generation = generation_of(KEYS[1])
if generation > 0 and holds(KEYS[1], ARGV[4], ARGV[5], ARGV[6]) then
  return {1, generation}
end
local expected = tonumber(ARGV[2])
if expected == nil then
  local stored_refresh = redis.call('HGET', KEYS[1], 'refresh_token')
  if ARGV[3] == '' or stored_refresh ~= ARGV[3] then
    return {0, generation}
  end
  expected = generation
end
if expected ~= generation then
  return {0, generation}
end
return {1, write_token(KEYS[1], ARGV[1], ARGV[4], ARGV[5], ARGV[6])}
