// Lua scripts for the atomic steps. Each touches keys of one hash slot only, so the same code runs on Redis
// Cluster: the secret and its attempt counter share the `{secretKey}` hash tag, and a new secret's metadata key is
// chosen so that its receipt hashes to that slot too (src/store/key-slot.ts). Receipt field names come from the
// codec's FIELD table; the stored record's marks from stored-record.ts.
import { FIELD } from './receipt-codec.js';
import { PROTECTED_MARK } from '../domain/secret-record.js';
import { BESIDE_MARK } from './stored-record.js';

const { state: ST, updated: U, created: CR, received: R, secretKey: S, beside: B, custid: C } = FIELD;

/**
 * settle(key, to, at, first): moves the receipt at `key` to state `to`, updated (and, for received, received) at
 * `at`, if it is in one of the states ARGV[first..]; returns its state and update time before, or false. A script
 * that uses it declares the receipt key or knows it shares the secret's slot.
 */
const SETTLE_FUNCTION = `
local function settle(key, to, at, first)
  local f = redis.call('HMGET', key, '${ST}', '${U}', '${CR}')
  if not f[1] then return false end
  for i = first, #ARGV do
    if f[1] == ARGV[i] then
      if to == 'received' then redis.call('HSET', key, '${ST}', to, '${U}', at, '${R}', at)
      else redis.call('HSET', key, '${ST}', to, '${U}', at) end
      return {f[1], f[2] or f[3]}
    end
  end
  return false
end
`;

/**
 * addRecent(list, score, member, keep, ttl): puts a receipt in its owner's recent list, newest first, keeping at most
 * `keep` entries; the list lives at least `ttl` seconds more.
 */
const ADD_RECENT_FUNCTION = `
local function addRecent(list, score, member, keep, ttl)
  -- Scores are whole seconds: a receipt made in the same second as others goes just above them (newest first).
  score = tonumber(score)
  local same = redis.call('ZREVRANGEBYSCORE', list, '(' .. (score + 1), score, 'WITHSCORES', 'LIMIT', 0, 1)
  if same[2] then score = tonumber(same[2]) + 0.00001 end
  redis.call('ZADD', list, score, member)
  redis.call('ZREMRANGEBYRANK', list, 0, -tonumber(keep) - 1)
  if redis.call('TTL', list) < tonumber(ttl) then redis.call('EXPIRE', list, ttl) end
end
`;

/**
 * KEYS: secret, receipt (one slot), and the owner's recent list when there is one (only outside Cluster: it is in
 * the account's slot). ARGV: record, ttl, receipt ttl, the recent entry's score, member and keep ('' each without
 * a list), then the receipt's field/value pairs. Called with its number of keys (2 or 3).
 */
export const CREATE_BESIDE =
  ADD_RECENT_FUNCTION +
  `
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('HSET', KEYS[2], unpack(ARGV, 7))
redis.call('EXPIRE', KEYS[2], ARGV[3])
if KEYS[3] then addRecent(KEYS[3], ARGV[4], ARGV[5], ARGV[6], ARGV[3]) end
return 1
`;

/**
 * KEYS: secret, attempts. ARGV: receipt key prefix, '1' to answer the receipt, then the settle: new state ('' for
 * none), time, states it may move from. Takes an unprotected secret at once (returning its PTTL, so a record that
 * does not open can be put back). A record marked as having its receipt beside it ('!' after the metadata key: same
 * slot, so the receipt key, read from the record, may be touched here) has the receipt moved in the same step, and
 * what it was is returned, with all its fields when asked. A protected one ('P') is left in place, with its failed
 * attempts and their window. Answers {record, attempts, ttl, state before, updated before, receipt fields}.
 */
export const CLAIM =
  SETTLE_FUNCTION +
  `
local v = redis.call('GET', KEYS[1])
if not v then return nil end
local mkey = string.match(v, '^.([0-9a-z]+)${BESIDE_MARK}:')
local rkey = mkey and (ARGV[1] .. mkey)
local receipt = false
if rkey and ARGV[2] == '1' then receipt = redis.call('HGETALL', rkey) end
if string.sub(v, 1, 1) ~= '${PROTECTED_MARK}' then
  local ttl = redis.call('PTTL', KEYS[1])
  redis.call('DEL', KEYS[1])
  local before = rkey and ARGV[3] ~= '' and settle(rkey, ARGV[3], ARGV[4], 5)
  if before then return {v, 0, ttl, before[1], before[2], receipt} end
  return {v, 0, ttl, false, false, receipt}
end
local a = tonumber(redis.call('GET', KEYS[2]) or '0')
return {v, a, redis.call('TTL', KEYS[2]), false, false, receipt}
`;

/** KEYS: secret, attempts. ARGV: the record as read. Deletes only if unchanged, so one caller wins. */
export const CLAIM_IF_UNCHANGED = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 1
end
return 0
`;

/** As CLAIM_IF_UNCHANGED, with KEYS[3] the receipt (same slot), settled as ARGV[2..] say when the claim wins. */
export const CLAIM_IF_UNCHANGED_SETTLE =
  SETTLE_FUNCTION +
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1], KEYS[2])
  settle(KEYS[3], ARGV[2], ARGV[3], 4)
  return 1
end
return 0
`;

/**
 * KEYS: receipt. ARGV: new state, time, states it may move from. Every receipt move that is not part of a claim
 * (a view's, and a claim's for a receipt kept apart from its secret); nil when the receipt did not move.
 */
export const SETTLE =
  SETTLE_FUNCTION +
  `
return settle(KEYS[1], ARGV[1], ARGV[2], 3)
`;

/**
 * KEYS: receipt. ARGV: the state and time a claim set, the state and update time it had before. Puts the receipt
 * back only if nothing has moved it since.
 */
export const UNSETTLE = `
local f = redis.call('HMGET', KEYS[1], '${ST}', '${U}')
if f[1] == ARGV[1] and f[2] == ARGV[2] then
  redis.call('HSET', KEYS[1], '${ST}', ARGV[3], '${U}', ARGV[4])
  redis.call('HDEL', KEYS[1], '${R}')
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

/** KEYS: recent list. ARGV: score, member, keep (max entries), ttl seconds. */
export const ADD_RECENT =
  ADD_RECENT_FUNCTION +
  `
addRecent(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4])
return 1
`;

/** KEYS: receipt. ARGV: field, value. Sets one field of an existing receipt (its TTL stays); 0 when there is none. */
export const SET_RECEIPT_FIELD = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`;

/**
 * KEYS: secret. ARGV: the receipt key prefix, the last byte of the record's head. A look at a secret that never
 * reads its sealed value: the record's head, its PTTL and, for a record marked as having its receipt beside it
 * (same slot, the key read from the record), the receipt's fields. Nil when the secret is gone.
 */
export const INSPECT = `
local head = redis.call('GETRANGE', KEYS[1], 0, ARGV[2])
if head == '' then return nil end
local mkey = string.match(head, '^.([0-9a-z]+)${BESIDE_MARK}:')
local receipt = false
if mkey then receipt = redis.call('HGETALL', ARGV[1] .. mkey) end
return {head, redis.call('PTTL', KEYS[1]), receipt}
`;

/** KEYS: secret. ARGV: record, PTTL. Puts back a claimed record that could not be opened (wrong master key). */
export const RESTORE = `
return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') and 1 or 0
`;

/** count(counter, window ms): counts one request in the counter's fixed window (its first count sets its expiry). */
const COUNT_FUNCTION = `
local function count(counter, windowMs)
  local n = redis.call('INCR', counter)
  if n == 1 then redis.call('PEXPIRE', counter, windowMs) end
  return n
end
`;

/** KEYS: a client's rate-limit counter. ARGV: window in ms. Counts one request; returns the count and ms left. */
export const RATE_LIMIT_HIT =
  COUNT_FUNCTION +
  `
local n = count(KEYS[1], ARGV[1])
if n == 1 then return {n, tonumber(ARGV[1])} end
return {n, redis.call('PTTL', KEYS[1])}
`;

/** The error a charged script answers when the request's count passed its limit, followed by the ms left. */
export const RATE_LIMITED_REPLY = 'OTS_RATE_LIMITED';

/**
 * `script` with the request's rate count taken first, in the same step: its KEYS and ARGV as they are, then the
 * client's counter as the last key and the window (ms) and limit as the last two arguments (taken off before the
 * script runs). Past the limit it stops before doing anything else and answers RATE_LIMITED_REPLY and the ms left.
 * Only where the counter may share a script with the other keys: single Redis and Sentinel, not Cluster.
 */
export function charged(script: string): string {
  // The window's time left is read only for a refusal, the one answer that needs it.
  return (
    COUNT_FUNCTION +
    `
local limit = tonumber(table.remove(ARGV))
local windowMs = table.remove(ARGV)
local counter = table.remove(KEYS)
if count(counter, windowMs) > limit then return redis.error_reply('${RATE_LIMITED_REPLY} ' .. redis.call('PTTL', counter)) end
` +
    script
  );
}

/**
 * KEYS: receipt. ARGV: the secret key's name before and after the secret key, then the viewer ('' for anyone).
 * Returns the receipt's fields as they were, its PTTL and, for an unread receipt kept beside its secret (field b),
 * the secret's PTTL (-3: not read here). A first view (new) by one who may see it moves it to viewed, as
 * domain/receipt.ts mayView says: anyone when the viewer is '', else the owner, or anyone for an anonymous secret
 * (no custid field). What the caller is then shown is decided by the caller.
 */
export const VIEW_RECEIPT = `
local f = redis.call('HGETALL', KEYS[1])
if #f == 0 then return nil end
local h = {}
for i = 1, #f, 2 do h[f[i]] = f[i + 1] end
local secretPttl = -3
if h['${B}'] == '1' and (h['${ST}'] == 'new' or h['${ST}'] == 'viewed') then
  secretPttl = redis.call('PTTL', ARGV[1] .. h['${S}'] .. ARGV[2])
end
if h['${ST}'] == 'new' and (ARGV[3] == '' or not h['${C}'] or h['${C}'] == ARGV[3]) then
  redis.call('HSET', KEYS[1], '${ST}', 'viewed')
end
return {f, redis.call('PTTL', KEYS[1]), secretPttl}
`;
