// Lua scripts for the atomic steps. Each touches keys of one hash slot only (the secret and its attempt
// counter share the `{secretKey}` hash tag), so the same code runs on Redis Cluster.

/**
 * KEYS: secret, attempts. Takes an unprotected secret at once (returning its PTTL, so a record that does not
 * open can be put back); leaves a protected one in place and reports its failed attempts and their window.
 */
export const CLAIM = `
local v = redis.call('GET', KEYS[1])
if not v then return nil end
if string.sub(v, 1, 1) ~= 'P' then
  local ttl = redis.call('PTTL', KEYS[1])
  redis.call('DEL', KEYS[1])
  return {v, 0, ttl}
end
local a = tonumber(redis.call('GET', KEYS[2]) or '0')
return {v, a, redis.call('TTL', KEYS[2])}
`;

/** KEYS: secret, attempts. ARGV: the record as read. Deletes only if unchanged, so one caller wins. */
export const CLAIM_IF_UNCHANGED = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 1
end
return 0
`;

/** KEYS: attempts. ARGV: window seconds. */
export const FAILED_ATTEMPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('TTL', KEYS[1])}
`;

/** KEYS: receipt. ARGV: ttl seconds, then field/value pairs. */
export const PUT_RECEIPT = `
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
`;

/** KEYS: receipt. ARGV: new state, timestamp, then the states it may move from. */
export const TRANSITION = `
local s = redis.call('HGET', KEYS[1], 'st')
if not s then return 0 end
for i = 3, #ARGV do
  if s == ARGV[i] then
    redis.call('HSET', KEYS[1], 'st', ARGV[1], 'u', ARGV[2])
    if ARGV[1] == 'received' then redis.call('HSET', KEYS[1], 'r', ARGV[2]) end
    return 1
  end
end
return 0
`;

/** KEYS: recent list. ARGV: score, member, keep (max entries), ttl seconds. */
export const ADD_RECENT = `
-- Scores are whole seconds: a receipt made in the same second as others goes just above them (newest first).
local score = tonumber(ARGV[1])
local same = redis.call('ZREVRANGEBYSCORE', KEYS[1], '(' .. (score + 1), score, 'WITHSCORES', 'LIMIT', 0, 1)
if same[2] then score = tonumber(same[2]) + 0.00001 end
redis.call('ZADD', KEYS[1], score, ARGV[2])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -tonumber(ARGV[3]) - 1)
if redis.call('TTL', KEYS[1]) < tonumber(ARGV[4]) then redis.call('EXPIRE', KEYS[1], ARGV[4]) end
return 1
`;

/** KEYS: secret. ARGV: record, PTTL. Puts back a claimed record that could not be opened (wrong master key). */
export const RESTORE = `
return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') and 1 or 0
`;
