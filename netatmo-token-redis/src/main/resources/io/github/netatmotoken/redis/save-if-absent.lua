-- Seeds an empty store; never overwrites.
-- KEYS[1] the token hash; ARGV[1] the change channel; ARGV[2..4] access token, refresh token, expiry.
-- Returns the new generation, or 0 if the hash already holds a token.
if redis.call('HEXISTS', KEYS[1], 'generation') == 1 then
  return 0
end
return write_token(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4])
