-- Prepended to the scripts that read or write the token hash (KEYS[1]). A token component that is missing is
-- passed and returned as '' (the Java side maps it to null: Token treats an empty string as missing).

local function set_or_delete(key, field, value)
  if value == '' then
    redis.call('HDEL', key, field)
  else
    redis.call('HSET', key, field, value)
  end
end

-- Whether the hash holds exactly this token.
local function holds(key, access, refresh, expiry)
  local stored = redis.call('HMGET', key, 'access_token', 'refresh_token', 'expiry')
  return (stored[1] or '') == access and (stored[2] or '') == refresh and (stored[3] or '') == expiry
end

-- The generation the hash holds; 0 without a token.
local function generation_of(key)
  return tonumber(redis.call('HGET', key, 'generation') or '0')
end

-- Writes a token as the next generation and tells the other processes on the change channel, in the same step.
local function write_token(key, channel, access, refresh, expiry)
  local generation = redis.call('HINCRBY', key, 'generation', 1)
  set_or_delete(key, 'access_token', access)
  set_or_delete(key, 'refresh_token', refresh)
  set_or_delete(key, 'expiry', expiry)
  redis.call('PUBLISH', channel, generation)
  return generation
end

