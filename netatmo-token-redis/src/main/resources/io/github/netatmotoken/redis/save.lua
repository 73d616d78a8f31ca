-- A new authorization: always wins, as the next generation.
-- KEYS[1] the token hash; ARGV[1] the change channel; ARGV[2..4] access token, refresh token, expiry.
-- Returns the new generation.
return write_token(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4])
