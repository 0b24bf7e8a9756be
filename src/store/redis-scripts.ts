// The Lua scripts of the Redis store, one per atomic step, each with a named local for every KEYS and ARGV entry.
//
// The slot rule (why the same scripts run on Redis Cluster): a script may only touch keys of one hash slot. A secret
// and its attempt counter share the `{secretKey}` hash tag, and a new secret's metadata key is chosen so that its
// receipt hashes to that same slot (key-slot.ts). So a script handed a secret's key may touch the receipt whose key
// the stored record names, and one handed a receipt may touch the secret it names. The caller declares every key it
// knows; only those two are found by the script. The owner's recent list and a client's rate counter live in other
// slots: outside Cluster they may share a script, on Cluster they are commands of their own.
//
// Field names, state names and the viewer rule come from the same constants as the TypeScript.
import { ANONYMOUS_CUSTID, type State } from '../domain/receipt.js';
import { FIELD } from './receipt-codec.js';
import { JOURNAL_FUNCTIONS } from './redis-journal.js';
import { PROTECTED_MARK } from './stored-record.js';

const { state: ST, updated: U, received: R, secretKey: SK, custid: C, created: CR, source: SRC } = FIELD;
const state = (s: State) => `'${s}'`;

/**
 * settle(receipt, to, at, from): moves the receipt to state `to`, updated (and for received, received) at `at`, if
 * it is in one of the states listed in `from`; true if it moved.
 */
const SETTLE_FUNCTION = `
local function settle(receipt, to, at, from)
  local current = redis.call('HGET', receipt, '${ST}')
  if not current then return false end
  for _, s in ipairs(from) do
    if current == s then
      if to == ${state('received')} then redis.call('HSET', receipt, '${ST}', to, '${U}', at, '${R}', at)
      else redis.call('HSET', receipt, '${ST}', to, '${U}', at) end
      return true
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
 * Stores a secret and its receipt; outside Cluster also its owner's recent entry and its webhook events (created, and
 * incoming.received for an incoming secret) with the expiry to report. `layout` says which optional keys follow the
 * first two: 'r' the recent list, 'j' the journal's stream, targets and expiring set.
 */
export const CREATE =
  ADD_RECENT_FUNCTION +
  JOURNAL_FUNCTIONS +
  `
local layout = ARGV[1]
local secret, receipt = KEYS[1], KEYS[2]
local k = 3
local recent, stream, targets, expiring
if string.find(layout, 'r', 1, true) then recent = KEYS[k]; k = k + 1 end
if string.find(layout, 'j', 1, true) then stream, targets, expiring = KEYS[k], KEYS[k + 1], KEYS[k + 2] end
local record, ttl, receiptTtl, metadataKey, score, keep, wanted = unpack(ARGV, 2, 8)
local receiptFields = {unpack(ARGV, 9)}
redis.call('SET', secret, record, 'EX', ttl)
redis.call('HSET', receipt, unpack(receiptFields))
redis.call('EXPIRE', receipt, receiptTtl)
if recent then addRecent(recent, score, metadataKey, keep, receiptTtl) end
if stream then
  local h = fieldMap(receiptFields)
  local custid = h['${C}'] or '${ANONYMOUS_CUSTID}'
  local facts = eventFacts(h, metadataKey, ${state('new')}, h['${CR}'])
  journal(stream, targets, wanted, 'secret.created', custid, facts)
  if h['${SRC}'] == 'i' then journal(stream, targets, wanted, 'incoming.received', custid, facts) end
  trackExpiry(expiring, targets, wanted, custid, (tonumber(h['${CR}']) + tonumber(ttl)) * 1000, metadataKey)
end
return 1
`;

/**
 * Takes an unprotected secret (GET, then DEL) and settles its receipt, recording its event (`type`: revealed or
 * burned) when the receipt moved and the journal's keys are given (outside Cluster), and forgetting its expiry; leaves a protected one in place
 * and answers its failed attempts. Answers {record, attempts, ms or s left, the receipt's fields before}; nil when
 * gone. DEL comes before any write that needs memory, so a full Redis (noeviction) still lets a reveal through (Redis
 * refuses only a script's first write for want of memory).
 */
export const CLAIM =
  SETTLE_FUNCTION +
  JOURNAL_FUNCTIONS +
  `
local secret, attempts, stream, targets, expiring = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local receiptPrefix, to, at, type, wanted = unpack(ARGV, 1, 5)
local from = {unpack(ARGV, 6)}
local record = redis.call('GET', secret)
if not record then return nil end
local receipt = receiptPrefix .. string.match(record, '^.([0-9a-z]+):')
local before = redis.call('HGETALL', receipt)
if string.sub(record, 1, 1) == '${PROTECTED_MARK}' then
  local failed = tonumber(redis.call('GET', attempts) or '0')
  return {record, failed, redis.call('TTL', attempts), before}
end
local pttl = redis.call('PTTL', secret)
redis.call('DEL', secret)
if settle(receipt, to, at, from) and stream then
  local h, metadataKey = fieldMap(before), string.sub(receipt, #receiptPrefix + 1)
  journal(stream, targets, wanted, type, h['${C}'] or '${ANONYMOUS_CUSTID}', eventFacts(h, metadataKey, to, at))
  redis.call('ZREM', expiring, metadataKey)
end
return {record, 0, pttl, before}
`;

/**
 * Takes the secret only if it still holds exactly `record`, so one caller wins; clears its attempts, settles and
 * records the event as CLAIM does. Answers the ms it had left (to put it back if need be), or 0 when another won.
 */
export const CLAIM_IF_UNCHANGED =
  SETTLE_FUNCTION +
  JOURNAL_FUNCTIONS +
  `
local secret, attempts, receipt, stream, targets, expiring = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local record, to, at, type, wanted, metadataKey = unpack(ARGV, 1, 6)
local from = {unpack(ARGV, 7)}
if redis.call('GET', secret) ~= record then return 0 end
local pttl = redis.call('PTTL', secret)
redis.call('DEL', secret, attempts)
local before = stream and fieldMap(redis.call('HGETALL', receipt))
if settle(receipt, to, at, from) and stream then
  journal(stream, targets, wanted, type, before['${C}'] or '${ANONYMOUS_CUSTID}', eventFacts(before, metadataKey, to, at))
  redis.call('ZREM', expiring, metadataKey)
end
return math.max(pttl, 1)
`;

/**
 * Puts back a claimed record (pttl ms left, unless the key was taken again) and its receipt's state and update time
 * from before the claim, only if the receipt still shows what the claim set.
 */
export const RESTORE = `
local secret, receipt = KEYS[1], KEYS[2]
local record, pttl, settledTo, settledAt, stateBefore, updatedBefore = unpack(ARGV, 1, 6)
if tonumber(pttl) > 0 then redis.call('SET', secret, record, 'PX', pttl, 'NX') end
if stateBefore == '' then return 1 end
local f = redis.call('HMGET', receipt, '${ST}', '${U}')
if f[1] == settledTo and f[2] == settledAt then
  redis.call('HSET', receipt, '${ST}', stateBefore, '${U}', updatedBefore)
  redis.call('HDEL', receipt, '${R}')
end
return 1
`;

/** Moves a receipt (see settle); 1 if it moved. */
export const SETTLE =
  SETTLE_FUNCTION +
  `
local receipt = KEYS[1]
local to, at = ARGV[1], ARGV[2]
return settle(receipt, to, at, {unpack(ARGV, 3)}) and 1 or 0
`;

/** Counts one wrong passphrase in the secret's guessing window; answers the count and the window's seconds left. */
export const FAILED_ATTEMPT = `
local attempts = KEYS[1]
local windowSeconds = ARGV[1]
local n = redis.call('INCR', attempts)
if n == 1 then redis.call('EXPIRE', attempts, windowSeconds) end
return {n, redis.call('TTL', attempts)}
`;

/** Puts a receipt in its owner's recent list (on Cluster, where the list is in another slot than the receipt). */
export const ADD_RECENT =
  ADD_RECENT_FUNCTION +
  `
local recent = KEYS[1]
local score, member, keep, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
addRecent(recent, score, member, keep, ttl)
return 1
`;

/** Sets one field of an existing receipt (its TTL stays); 0 when there is none. */
export const SET_RECEIPT_FIELD = `
local receipt = KEYS[1]
local field, value = ARGV[1], ARGV[2]
if redis.call('EXISTS', receipt) == 0 then return 0 end
redis.call('HSET', receipt, field, value)
return 1
`;

/**
 * A look that never reads the sealed value: the record's head, its PTTL, its receipt's fields and its failed
 * passphrase attempts with their window's seconds left (whether guessing is locked); nil when gone.
 */
export const INSPECT = `
local secret, attempts = KEYS[1], KEYS[2]
local receiptPrefix, headEnd = ARGV[1], ARGV[2]
local head = redis.call('GETRANGE', secret, 0, headEnd)
if head == '' then return nil end
local metadataKey = string.match(head, '^.([0-9a-z]+):')
local receipt = metadataKey and redis.call('HGETALL', receiptPrefix .. metadataKey) or {}
local failed = tonumber(redis.call('GET', attempts) or '0')
return {head, redis.call('PTTL', secret), receipt, failed, redis.call('TTL', attempts)}
`;

/**
 * A receipt for a view: its fields as they were, its PTTL and, while unread, its secret's PTTL. A first view (new)
 * by one who may see it moves it to viewed: anyone when `viewer` is '', else the owner, or anyone for an anonymous
 * secret (receipt.ts mayView; no custid field means anonymous). On a full Redis the move is skipped, the view still
 * answers (pcall).
 */
export const VIEW_RECEIPT = `
local receipt = KEYS[1]
local secretPrefix, secretSuffix, viewer = ARGV[1], ARGV[2], ARGV[3]
local f = redis.call('HGETALL', receipt)
if #f == 0 then return nil end
local h = {}
for i = 1, #f, 2 do h[f[i]] = f[i + 1] end
local secretPttl = -2
if h['${ST}'] == ${state('new')} or h['${ST}'] == ${state('viewed')} then
  secretPttl = redis.call('PTTL', secretPrefix .. h['${SK}'] .. secretSuffix)
end
local owner = h['${C}'] or '${ANONYMOUS_CUSTID}'
if h['${ST}'] == ${state('new')} and (viewer == '' or owner == '${ANONYMOUS_CUSTID}' or owner == viewer) then
  redis.pcall('HSET', receipt, '${ST}', ${state('viewed')})
end
return {f, redis.call('PTTL', receipt), secretPttl}
`;

/**
 * Adds `units` to a client's count in its fixed window (the first count sets its expiry) unless that would pass
 * `limit`. Answers {count, ms left, 1 if taken}.
 */
export const RATE_TAKE = `
local counter = KEYS[1]
local windowMs, units, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local count = tonumber(redis.call('GET', counter) or '0')
if count + units > limit then
  local left = redis.call('PTTL', counter)
  return {count, left > 0 and left or windowMs, 0}
end
count = redis.call('INCRBY', counter, units)
if count == units then
  redis.call('PEXPIRE', counter, windowMs)
  return {count, windowMs, 1}
end
return {count, redis.call('PTTL', counter), 1}
`;

/**
 * Incoming secrets' counter with lockout (docs/contracts/ots-incoming-api.md §4.2): both keys share a hash tag.
 * Answers {allowed (1/0), ms left on the lock}.
 */
export const LOCKOUT_HIT = `
local attempts, locked = KEYS[1], KEYS[2]
local cap, windowMs, lockoutMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
-- Locked: refused, counting nothing.
local left = redis.call('PTTL', locked)
if left > 0 then return {0, left} end
-- The first hit starts the fixed window.
local count = redis.call('INCR', attempts)
if count == 1 then redis.call('PEXPIRE', attempts, windowMs) end
-- The hit that reaches the cap passes, locks, and clears the count.
if count >= cap then
  redis.call('SET', locked, '1', 'PX', lockoutMs)
  redis.call('DEL', attempts)
end
return {1, 0}
`;
