// The webhook journal in Lua: the functions that record an event in the same script as the state change it
// reports (redis-scripts.ts calls them outside Cluster), and the scripts of the queue itself (a stream read by the
// consumer group `deliver`, a sorted set of expiries to report, a dead-letter list). Every webhook key shares the
// `{webhooks}` hash tag (redis-keys.ts), so these scripts run on Cluster too; there the state change's own script is
// in another slot, so the store records with JOURNAL_APPEND right after it (docs/webhooks.md, "Guarantees").
import { ANONYMOUS_CUSTID, type State } from '../domain/receipt.js';
import { INSTANCE_TARGET, type EventFacts } from '../domain/webhook-queue.js';
import { FIELD } from './receipt-codec.js';

/** A stream entry's field names (the facts as webhook-queue.ts names them). */
export const EVENT_FIELD = {
  type: 'type',
  target: 'target',
  shortid: 'sid',
  custid: 'c',
  state: 'st',
  ttl: 't',
  created: 'cr',
  updated: 'u',
  recipientDigest: 'rd',
  recipientName: 'rn',
  /** Only on replayed entries: the first entry's message id and time (else derived from the entry id). */
  messageId: 'msgid',
  at: 'at',
} as const;

const E = EVENT_FIELD;
const quoted = (s: State) => `'${s}'`;

/** The facts as a stream entry's flat field, value list. */
export function encodeFacts(f: EventFacts): string[] {
  const out = [E.shortid, f.shortid, E.custid, f.custid, E.state, f.state, E.ttl, String(f.ttl), E.created, String(f.created), E.updated, String(f.updated)];
  if (f.recipientDigest !== undefined) out.push(E.recipientDigest, f.recipientDigest);
  if (f.recipientName !== undefined) out.push(E.recipientName, f.recipientName);
  return out;
}

export function decodeFacts(h: Record<string, string>): EventFacts {
  const facts: EventFacts = {
    shortid: h[E.shortid] ?? '',
    custid: h[E.custid] ?? ANONYMOUS_CUSTID,
    state: h[E.state] ?? '',
    ttl: Number(h[E.ttl]),
    created: Number(h[E.created]),
    updated: Number(h[E.updated]),
  };
  if (h[E.recipientDigest] !== undefined) facts.recipientDigest = h[E.recipientDigest];
  if (h[E.recipientName] !== undefined) facts.recipientName = h[E.recipientName];
  return facts;
}

/**
 * fieldMap(flat): a name → value table from HGETALL's flat list.
 * eventFacts(h, metadataKey, state, updated): the facts of a receipt's event (encodeFacts' order): never a key, the
 * memo or an address.
 * journal(stream, targets, wanted, type, custid, facts): one entry per target that wants the event: the instance-wide
 * endpoint when `wanted` (',type,type,') lists it, the owner's own endpoint when the owner has one (webhook-queue.ts
 * targetsOf).
 * trackExpiry(expiring, targets, wanted, custid, atMs, metadataKey): remembers to report the expiry, if anyone wants it.
 * expiredFacts(receiptPrefix, metadataKey, secretPrefix, secretSuffix): for a receipt whose TTL has ended, its
 * custid and facts when the secret expired unread; 'alive' (and its ms left) when the secret is still there.
 */
export const JOURNAL_FUNCTIONS = `
local function fieldMap(flat)
  local h = {}
  for i = 1, #flat, 2 do h[flat[i]] = flat[i + 1] end
  return h
end
local function eventFacts(h, metadataKey, state, updated)
  local f = {'${E.shortid}', string.sub(metadataKey, 1, 8), '${E.custid}', h['${FIELD.custid}'] or '${ANONYMOUS_CUSTID}', '${E.state}', state,
    '${E.ttl}', h['${FIELD.ttl}'], '${E.created}', h['${FIELD.created}'], '${E.updated}', updated}
  if h['${FIELD.recipientDigest}'] then f[#f + 1] = '${E.recipientDigest}'; f[#f + 1] = h['${FIELD.recipientDigest}'] end
  if h['${FIELD.recipientName}'] then f[#f + 1] = '${E.recipientName}'; f[#f + 1] = h['${FIELD.recipientName}'] end
  return f
end
local function hasTarget(targets, custid)
  return custid ~= '${ANONYMOUS_CUSTID}' and redis.call('SISMEMBER', targets, custid) == 1
end
local function journal(stream, targets, wanted, type, custid, facts)
  if string.find(wanted, ',' .. type .. ',', 1, true) then
    redis.call('XADD', stream, '*', '${E.type}', type, '${E.target}', '${INSTANCE_TARGET}', unpack(facts))
  end
  if hasTarget(targets, custid) then redis.call('XADD', stream, '*', '${E.type}', type, '${E.target}', custid, unpack(facts)) end
end
local function trackExpiry(expiring, targets, wanted, custid, atMs, metadataKey)
  if string.find(wanted, ',secret.expired,', 1, true) or hasTarget(targets, custid) then
    redis.call('ZADD', expiring, atMs, metadataKey)
  end
end
local function expiredFacts(receiptPrefix, metadataKey, secretPrefix, secretSuffix)
  local h = fieldMap(redis.call('HGETALL', receiptPrefix .. metadataKey))
  local state = h['${FIELD.state}']
  if not state or state == ${quoted('received')} or state == ${quoted('burned')} then return nil end
  local left = redis.call('PTTL', secretPrefix .. h['${FIELD.secretKey}'] .. secretSuffix)
  if left > 0 then return 'alive', left end
  local ended = tonumber(h['${FIELD.created}']) + tonumber(h['${FIELD.ttl}'])
  return h['${FIELD.custid}'] or '${ANONYMOUS_CUSTID}', eventFacts(h, metadataKey, ${quoted('expired')}, ended)
end
`;

/** On Cluster: records an event after its state change, and (when `atMs` is given) the expiry to report. */
export const JOURNAL_APPEND =
  JOURNAL_FUNCTIONS +
  `
local stream, targets, expiring = KEYS[1], KEYS[2], KEYS[3]
local wanted, type, custid, atMs, metadataKey = unpack(ARGV, 1, 5)
journal(stream, targets, wanted, type, custid, {unpack(ARGV, 6)})
if atMs ~= '' then trackExpiry(expiring, targets, wanted, custid, atMs, metadataKey) end
return 1
`;

/**
 * Outside Cluster: takes the expiries due by `nowMs` (at most `limit`) and records secret.expired for each secret
 * that expired unread, all in one step, so each is reported once by whichever instance's sweep takes it. A secret
 * still there (clocks differ) is put back for when it ends. Answers how many were taken.
 */
export const SWEEP_EXPIRED =
  JOURNAL_FUNCTIONS +
  `
local expiring, stream, targets = KEYS[1], KEYS[2], KEYS[3]
local nowMs, limit, wanted, receiptPrefix, secretPrefix, secretSuffix = unpack(ARGV, 1, 6)
local due = redis.call('ZRANGEBYSCORE', expiring, '-inf', nowMs, 'LIMIT', 0, limit)
for _, metadataKey in ipairs(due) do
  redis.call('ZREM', expiring, metadataKey)
  local custid, facts = expiredFacts(receiptPrefix, metadataKey, secretPrefix, secretSuffix)
  if custid == 'alive' then redis.call('ZADD', expiring, tonumber(nowMs) + facts, metadataKey)
  elseif custid then journal(stream, targets, wanted, 'secret.expired', custid, facts) end
end
return #due
`;

/** On Cluster (a receipt and its secret share a slot): whether a receipt's secret expired unread, and its facts. */
export const EXPIRED_FACTS =
  JOURNAL_FUNCTIONS +
  `
local receipt = KEYS[1]
local receiptPrefix, metadataKey, secretPrefix, secretSuffix = unpack(ARGV, 1, 4)
local custid, facts = expiredFacts(receiptPrefix, metadataKey, secretPrefix, secretSuffix)
if custid == 'alive' then return {'alive', facts} end
if not custid then return nil end
return {custid, facts}
`;

/** Delivered: acknowledged and removed (the stream keeps only what is still to deliver). */
export const ACK = `
local stream = KEYS[1]
local group, id = ARGV[1], ARGV[2]
redis.call('XACK', stream, group, id)
return redis.call('XDEL', stream, id)
`;

/** Given up: moved to the dead-letter list (newest first), unless another worker already settled it. */
export const DEAD_LETTER = `
local stream, dead = KEYS[1], KEYS[2]
local group, id, letter = ARGV[1], ARGV[2], ARGV[3]
if redis.call('XACK', stream, group, id) == 0 then return 0 end
redis.call('XDEL', stream, id)
redis.call('LPUSH', dead, letter)
return 1
`;

/** Moves up to `max` dead letters, oldest first, back into the stream as new entries (their fields kept). */
export const REPLAY = `
local dead, stream = KEYS[1], KEYS[2]
local max = tonumber(ARGV[1])
local moved = 0
while moved < max do
  local letter = redis.call('RPOP', dead)
  if not letter then break end
  redis.call('XADD', stream, '*', unpack(cjson.decode(letter).fields))
  moved = moved + 1
end
return moved
`;
