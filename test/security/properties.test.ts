// Property-based attacks on the pure rules: parameter merging (type confusion, prototype pollution, query/body
// smuggling), TTL parsing and clamping (overflow, negatives, garbage), and the receipt view (leaking a key).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { receiptView, recentView } from '../../src/api/v1/receipt-view.js';
import { STATES, type ReceiptRecord } from '../../src/domain/receipt.js';
import { clampTtl, parseTtl, type TtlLimits } from '../../src/domain/ttl.js';
import { flatten, mergeParams } from '../../src/plugins/params.js';

const RUNS = 500;
const check = <T extends unknown[]>(prop: fc.IProperty<T>) => fc.assert(prop, { numRuns: RUNS });

// ---- parameter merging -------------------------------------------------------------------------------------

const CONTRACT_KEYS = ['secret', 'passphrase', 'ttl', 'recipient', 'recipient[]', 'share_domain', 'length', 'locale'];
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'secret[]', '[]', ''];
const paramKey = fc.oneof(fc.constantFrom(...CONTRACT_KEYS, ...HOSTILE_KEYS), fc.string({ maxLength: 12 }));
/** Anything a query-string, urlencoded, multipart or JSON parser can hand over as a value. */
const paramValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.constant(''),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), tie('value'), { maxKeys: 3 }),
  ),
})).value;
/** Built with Object.fromEntries, as JSON.parse does: `__proto__` becomes an own key, the real attack shape. */
const source = fc.array(fc.tuple(paramKey, paramValue), { maxLength: 10 }).map((entries) => Object.fromEntries(entries));

/** What a flat parameter should be once merged: a string, or absent. */
function expectedScalar(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (Array.isArray(v)) return expectedScalar(v);
  if (typeof v === 'string') return v === '' ? undefined : v;
  // Whole numbers as digits even from 1e21 on, where String() would give `1e+21` (issue 22).
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v).toString() : String(v);
  if (typeof v === 'boolean') return String(v);
  return undefined;
}

describe('parameter merging under attack', () => {
  it('type confusion: arrays, objects, numbers and null never reach the service as anything but non-empty strings', () => {
    check(
      fc.property(source, source, (query, body) => {
        const merged = mergeParams(query, body);
        for (const value of Object.values(merged)) {
          expect(typeof value).toBe('string');
          expect(value).not.toBe('');
        }
      }),
    );
  });

  it('query/body smuggling: a non-empty body value always wins over the query string', () => {
    check(
      fc.property(source, source, (query, body) => {
        const merged = mergeParams(query, body);
        const fromBody = flatten(body);
        for (const [key, value] of Object.entries(fromBody)) expect(merged[key]).toBe(value);
        for (const [key, value] of Object.entries(flatten(query))) {
          if (!Object.hasOwn(fromBody, key)) expect(merged[key]).toBe(value);
        }
      }),
    );
  });

  it('every merged value is the first element of what was sent under that name, empty meaning absent', () => {
    check(
      fc.property(fc.constantFrom(...CONTRACT_KEYS), paramValue, (key, value) => {
        const name = key.endsWith('[]') ? key.slice(0, -2) : key;
        expect(flatten({ [key]: value })[name]).toBe(expectedScalar(value));
      }),
    );
  });

  it('prototype pollution: __proto__, constructor and friends pollute nothing and add no inherited params', () => {
    check(
      fc.property(source, source, (query, body) => {
        const merged = mergeParams(query, body);
        expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.keys(Object.prototype)).toEqual([]);
        for (const key of ['secret', 'passphrase', 'ttl', 'recipient']) {
          if (merged[key] !== undefined) expect(Object.hasOwn(merged, key)).toBe(true);
        }
      }),
    );
    // The JSON body shape of the classic attack, explicitly.
    const attack = JSON.parse('{"__proto__": {"polluted": "yes", "secret": "x"}, "constructor": {"prototype": {"polluted": "yes"}}}');
    const merged = mergeParams({}, attack);
    expect(merged.secret).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('non-object sources (strings, arrays, null, numbers) merge to nothing', () => {
    check(
      fc.property(fc.oneof(fc.string(), fc.array(fc.string()), fc.constant(null), fc.integer(), fc.constant(undefined)), (junk) => {
        expect(flatten(junk)).toEqual({});
        expect(mergeParams(junk, junk)).toEqual({});
      }),
    );
  });
});

// ---- TTL ------------------------------------------------------------------------------------------------------

const limits: fc.Arbitrary<TtlLimits> = fc
  .tuple(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 10_000_000 }))
  .chain(([min, anonExtra, accountExtra]) =>
    fc.record({
      ttlMin: fc.constant(min),
      ttlMaxAnonymous: fc.constant(min + anonExtra),
      ttlMax: fc.constant(min + accountExtra),
      ttlDefault: fc.integer({ min, max: min + anonExtra }),
    }),
  );
/** What clients and attackers put in `ttl`. */
const rawTtl = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.double().map(String),
  fc.constantFrom('', ' 60', '+60', '-60', '1e309', 'Infinity', 'NaN', '0x10', '9'.repeat(400), '60abc', 'abc', '٣٠٠'),
);

describe('TTL parsing and clamping under attack', () => {
  it('overflow, negative, float and garbage TTLs always store a whole number within [min, max]', () => {
    check(
      fc.property(limits, rawTtl, fc.boolean(), (l, raw, isAccount) => {
        const ttl = clampTtl(parseTtl(raw, l.ttlDefault), l, isAccount);
        expect(Number.isSafeInteger(ttl)).toBe(true);
        expect(ttl).toBeGreaterThanOrEqual(l.ttlMin);
        expect(ttl).toBeLessThanOrEqual(isAccount ? l.ttlMax : l.ttlMaxAnonymous);
      }),
    );
  });

  it('parsing is Ruby to_i: leading digits or 0, never NaN, never negative', () => {
    check(
      fc.property(rawTtl, (raw) => {
        const parsed = parseTtl(raw, 604_800);
        expect(Number.isSafeInteger(parsed)).toBe(true);
        expect(parsed).toBeGreaterThanOrEqual(0);
        const digits = /^\s*\+?(\d+)/.exec(raw)?.[1];
        expect(parsed).toBe(digits === undefined ? 0 : Math.min(Number(digits), Number.MAX_SAFE_INTEGER));
      }),
    );
    expect(parseTtl(undefined, 1234)).toBe(1234);
  });

  it('an anonymous caller can never get more than the anonymous maximum, whatever it asks', () => {
    check(
      fc.property(limits, fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (l, asked) => {
        expect(clampTtl(asked, l, false)).toBeLessThanOrEqual(l.ttlMaxAnonymous);
        const inRange = asked >= l.ttlMin && asked <= l.ttlMaxAnonymous;
        if (inRange) expect(clampTtl(asked, l, false)).toBe(asked); // the clamp is silent, never a rewrite in range
      }),
    );
  });
});

// ---- receipt view ----------------------------------------------------------------------------------------------

const key = fc.stringMatching(/^[0-9a-z]{31}$/);
const epoch = fc.integer({ min: 1_500_000_000, max: 2_500_000_000 });
const record: fc.Arbitrary<ReceiptRecord> = fc
  .record({
    metadataKey: key,
    secretKey: key,
    custid: fc.constantFrom('anon', 'alice@example.com'),
    ttl: fc.integer({ min: 60, max: 2_592_000 }),
    created: epoch,
    updated: epoch,
    state: fc.constantFrom(...STATES),
    received: fc.option(epoch, { nil: undefined }),
    recipient: fc.option(fc.constantFrom('jo*****@m*****.org'), { nil: undefined }),
    shareDomain: fc.constantFrom('', 'secrets.example.com'),
    passphraseRequired: fc.boolean(),
    kind: fc.constantFrom('conceal' as const, 'generate' as const),
  })
  .filter((r) => r.metadataKey !== r.secretKey)
  .map((r) => {
    const out: ReceiptRecord = { ...r };
    if (out.received === undefined) delete out.received;
    if (out.recipient === undefined) delete out.recipient;
    return out;
  });
const liveness = fc.record({
  metadataTtl: fc.integer({ min: 0, max: 5_184_000 }),
  secretTtl: fc.option(fc.integer({ min: 0, max: 2_592_000 }), { nil: null }),
});

const RECEIPT_FIELDS = new Set([
  'custid',
  'metadata_key',
  'secret_key',
  'ttl',
  'metadata_ttl',
  'secret_ttl',
  'state',
  'updated',
  'created',
  'received',
  'recipient',
  'share_domain',
  'passphrase_required',
]);

describe('receipt view under attack', () => {
  it('a gone secret (received, burned, expired, orphaned) never leaks its shareable key', () => {
    check(
      fc.property(record, liveness, (r, live) => {
        const view = receiptView(r, live);
        const wire = JSON.stringify(view);
        if (r.state === 'new' || r.state === 'viewed') {
          expect(view.secret_key).toBe(r.secretKey);
          expect(typeof view.passphrase_required).toBe('boolean');
        } else {
          expect(wire).not.toContain(r.secretKey);
          expect(view).not.toHaveProperty('passphrase_required');
        }
        if (r.state === 'received') {
          expect(view).not.toHaveProperty('secret_key');
          expect(view).not.toHaveProperty('secret_ttl');
          expect(Number.isInteger(view.received)).toBe(true);
        } else {
          expect(view).not.toHaveProperty('received');
        }
        if (['burned', 'expired', 'orphaned'].includes(r.state)) {
          expect(view.secret_key).toBe('');
          expect(view.secret_ttl).toBeNull();
        }
      }),
    );
  });

  it('the wire shape holds for every record: contract fields only, integers, a contract state, no value', () => {
    check(
      fc.property(record, liveness, (r, live) => {
        for (const view of [receiptView(r, live), recentView(r, live)]) {
          for (const field of Object.keys(view)) expect(RECEIPT_FIELDS.has(field)).toBe(true);
          expect(STATES).toContain(view.state);
          for (const n of [view.ttl, view.metadata_ttl, view.created, view.updated]) expect(Number.isInteger(n)).toBe(true);
          expect(view.secret_ttl === undefined || view.secret_ttl === null || Number.isInteger(view.secret_ttl)).toBe(true);
          expect(Array.isArray(view.recipient) && view.recipient.length <= 1).toBe(true);
          expect(typeof view.share_domain).toBe('string');
          expect(view.ttl).toBe(r.ttl);
        }
      }),
    );
  });

  it('the recent list never hands out a shareable key or the secret TTL, in any state', () => {
    check(
      fc.property(record, liveness, (r, live) => {
        const view = recentView(r, live);
        expect(JSON.stringify(view)).not.toContain(r.secretKey);
        expect(view.secret_ttl).toBeNull();
        expect(view).not.toHaveProperty('passphrase_required');
      }),
    );
  });
});
