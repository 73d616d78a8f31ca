-- Records the intent to spend the refresh token of one generation, on Redis's clock. An intent for the same
-- generation that is already there never stored its result: it becomes the lost record first.
-- KEYS[1] the token hash; ARGV[1] the generation about to be spent, or '' for the stored one; ARGV[2] the holder.
-- Returns the generation recorded.
local generation = ARGV[1]
if generation == '' then
  generation = tostring(generation_of(KEYS[1]))
end
local now = redis.call('TIME')
local at = now[1] .. string.format('%06d', tonumber(now[2])) -- microseconds since the epoch
if redis.call('HGET', KEYS[1], 'intent_generation') == generation then
  local intent = redis.call('HMGET', KEYS[1], 'intent_holder', 'intent_at')
  redis.call('HSET', KEYS[1], 'lost_generation', generation, 'lost_holder', intent[1] or '', 'lost_at', intent[2] or '')
end
redis.call('HSET', KEYS[1], 'intent_generation', generation, 'intent_holder', ARGV[2], 'intent_at', at)
return tonumber(generation)
