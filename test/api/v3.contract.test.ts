// The v3 guest routes (the v2 contract of docs/api-v2.md: §1.1, §3.8, §8 items 81–84, §10.9) through a real socket
// on both stores. Read top to bottom: the route table (route × caller → status and body), meta, the guest secret
// routes, the guest receipt routes and the batch, the secret status routes, then the apps configured otherwise. The
// authenticated routes, served to Basic credentials (§11.2), have their own file: v3-basic.test.ts.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALICE, STORE_KINDS } from '../support/app.js';
import {
  checkTableRow,
  conceal,
  expectError,
  expectNativeTypes,
  factsOf,
  freshReceiptView,
  generate,
  get,
  serve,
  NOT_AUTHORIZED,
  NOT_FOUND,
  ok,
  post,
  postRaw,
  receiptRecordV3,
  revealedSecret,
  revealV2,
  secretRecord,
  secretStatus,
  shownSecret,
  UNKNOWN_KEY,
  UNKNOWN_RECEIPT,
  UNKNOWN_SECRET,
  V2,
  V3,
  type Made,
  type TableRow,
} from './socket.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const GUEST = `${V3}/guest`;
const TOO_MANY = { error: 'Too many identifiers (max 25)', error_type: 'FormError', field: 'identifiers' };

/**
 * Every v3 route by every kind of caller (socket.ts TABLE_CALLERS): the status and the body (exactly, for an error;
 * the fields that tell callers apart, for a 200). The guest and status routes ignore credentials, even wrong ones;
 * the authenticated routes take an account only. `:secret` and `:receipt` are a secret made anonymously for the row.
 */
const ROUTE_TABLE: TableRow[] = [
  ['GET /api/v3/status', 'anonymous', 200, { status: 'nominal' }],
  ['GET /api/v3/status', 'wrong credentials', 200, { status: 'nominal' }],
  ['GET /api/v3/version', 'account', 200, { locale: 'en' }],
  ['GET /api/v3/supported-locales', 'wrong credentials', 200, { default_locale: 'en' }],
  ...(['anonymous', 'account', 'wrong credentials'] as const).flatMap((caller): TableRow[] => [
    ['POST /api/v3/guest/secret/conceal', caller, 200, { record: { receipt: { owner_id: null } } }, { secret: { secret: 'x' } }],
    ['POST /api/v3/guest/secret/generate', caller, 200, { details: { kind: 'generate' } }, { secret: {} }],
    ['GET /api/v3/guest/secret/:secret', caller, 200, { details: { show_secret: false } }],
    ['POST /api/v3/guest/secret/:secret/reveal', caller, 200, { record: { secret_value: 'table' } }, { continue: true }],
    ['GET /api/v3/guest/receipt/:receipt', caller, 200, { record: { state: 'new' } }],
    ['POST /api/v3/guest/receipt/:receipt/burn', caller, 200, { success: true, record: { state: 'burned' } }, { continue: true }],
    ['POST /api/v3/guest/receipts', caller, 200, { count: 1 }, { identifiers: [':receipt'] }],
    ['GET /api/v3/secret/:secret/status', caller, 200, { record: { state: 'new' } }],
    ['POST /api/v3/secret/status', caller, 200, { count: 1 }, { identifiers: ':secret' }],
  ]),
  ['POST /api/v3/secret/conceal', 'account', 200, { record: { share_domain: null } }, { secret: { secret: 'x' } }],
  ['GET /api/v3/receipt/recent', 'account', 200, { custid: ALICE.email }],
  ['GET /api/v3/receipt/:own-receipt', 'account', 200, { record: { state: 'new' } }],
  ...(['anonymous', 'wrong credentials'] as const).flatMap((caller): TableRow[] => [
    ['POST /api/v3/secret/conceal', caller, 401, NOT_AUTHORIZED, { secret: { secret: 'x' } }],
    ['GET /api/v3/receipt/recent', caller, 401, NOT_AUTHORIZED],
    ['GET /api/v3/receipt/:receipt', caller, 401, NOT_AUTHORIZED],
  ]),
];

describe.each(STORE_KINDS)('v3 route table (%s store)', (kind) => {
  const s = serve(kind);
  it.each(ROUTE_TABLE)('%s by %s → %i', async (...row) => checkTableRow(s, row));
});

describe.each(STORE_KINDS)('v3 wire contract (%s store)', (kind) => {
  const clockMs = Date.now();
  const now = () => Math.floor(clockMs / 1000);

  const s = serve(kind, {}, { now: () => clockMs });

  const facts = (m: Made, ttl: number, extra: Parameters<typeof factsOf>[3] = {}) => factsOf(m, ttl, now(), extra);
  const batch = async (identifiers: unknown) => ok(await post(s, `${GUEST}/receipts`, { identifiers }));

  describe('§8 82 meta: as v2 without success', () => {
    it('GET /status → {status: "nominal", locale}', async () => {
      expect(ok(await get(s, `${V3}/status`))).toEqual({ status: 'nominal', locale: 'en' });
    });

    it('GET /supported-locales and /version', async () => {
      expect(ok(await get(s, `${V3}/supported-locales`))).toEqual({ locales: ['en', 'nl'], default_locale: 'en', locale: 'en' });
      expect(ok(await get(s, `${V3}/version`))).toEqual({ version: VERSION.split('.'), locale: 'en' });
    });

    it('credentials, even wrong ones, are ignored', async () => {
      expect(ok(await get(s, `${V3}/status`, { email: ALICE.email, token: 'wrong' })).status).toBe('nominal');
      expect(ok(await get(s, `${V3}/version`, { header: 'Bearer x' })).version).toEqual(VERSION.split('.'));
    });

    it('an unrouted path → 404 NotFound', async () => {
      expectError(await get(s, `${V3}/nope`), 404, NOT_FOUND);
      expectError(await post(s, `${GUEST}/share`, {}), 404, NOT_FOUND);
    });
  });

  describe('§8 81 guest conceal and generate: v3 shape', () => {
    it('conceal → record.receipt and record.secret, no record.metadata, no custid, recipients null', async () => {
      const m = await conceal(s, GUEST, { secret: 'v3', ttl: 3600 });
      expect(m.body).toEqual({
        success: true,
        record: { receipt: receiptRecordV3(facts(m, 3600)), secret: secretRecord(facts(m, 3600)), share_domain: null },
        details: { kind: 'conceal', recipient: [], recipient_safe: [] },
      });
      expect(m.body.record).not.toHaveProperty('metadata');
      expect(m.body.record.receipt).not.toHaveProperty('custid');
      expectNativeTypes(m.body);
    });

    it('generate → the value once in record.secret.secret_value', async () => {
      const m = await generate(s, GUEST, { ttl: 3600 });
      const value = m.body.record.secret.secret_value;
      expect(value).toMatch(/^\S{12}$/);
      expect(m.body).toEqual({
        success: true,
        record: {
          receipt: receiptRecordV3(facts(m, 3600, { kind: 'generate' })),
          secret: secretRecord(facts(m, 3600), { secret_value: value }),
          share_domain: null,
        },
        details: { kind: 'generate', recipient: [], recipient_safe: [] },
      });
      expect(ok(await revealV2(s, GUEST, m.secretKey)).record.secret_value).toBe(value);
    });

    it('credentials are ignored: valid or wrong, the receipt is anonymous', async () => {
      for (const as of [ALICE, { email: ALICE.email, token: 'wrong' }]) {
        expect((await conceal(s, GUEST, { secret: 'x' }, as)).body.record.receipt.owner_id).toBeNull();
      }
    });

    it('form errors as v2: nothing to share, flat payload, malformed JSON, too long', async () => {
      expectError(await post(s, `${GUEST}/secret/conceal`, { secret: {} }), 422, {
        error: 'You did not provide anything to share',
        error_type: 'FormError',
        field: 'secret',
      });
      expectError(await postRaw(s, `${GUEST}/secret/conceal`, 'secret=foo', 'application/x-www-form-urlencoded'), 422, {
        error: 'Incorrect payload format',
        error_type: 'FormError',
        field: 'secret',
      });
      expectError(await postRaw(s, `${GUEST}/secret/conceal`, '{', 'application/json'), 400, {
        error: 'Malformed request body',
        error_type: 'FormError',
      });
      expectError(await post(s, `${GUEST}/secret/generate`, { secret: { length: 129 } }), 422, {
        error: 'Generated password length must be no more than 128 characters',
        error_type: 'FormError',
        field: 'length',
      });
    });

    it('a recipient needs an account, which the guest routes never have → 401', async () => {
      expectError(await post(s, `${GUEST}/secret/conceal`, { secret: { secret: 'x', recipient: 'a@b.example' } }, ALICE), 401, {
        error: 'An account is required to send emails.',
        error_type: 'Unauthorized',
      });
    });
  });

  describe('guest show and reveal: as v2', () => {
    it('GET /guest/secret/:id → the record without the value; the secret stays', async () => {
      const m = await conceal(s, GUEST, { secret: 'look', ttl: 3600 });
      expect(ok(await get(s, `${GUEST}/secret/${m.secretKey}?continue=true`))).toEqual(shownSecret(facts(m, 3600)));
      expectError(await get(s, `${GUEST}/secret/${UNKNOWN_KEY}`), 404, UNKNOWN_SECRET);
    });

    it('POST /guest/secret/:id/reveal → the value once; then 404', async () => {
      const m = await conceal(s, GUEST, { secret: 'v3 value\n', ttl: 3600 });
      expect(ok(await revealV2(s, GUEST, m.secretKey))).toEqual(revealedSecret(facts(m, 3600), 'v3 value\n'));
      expectError(await revealV2(s, GUEST, m.secretKey), 404, UNKNOWN_SECRET);
    });

    it('a passphrase: wrong → 422 Incorrect passphrase, right → revealed', async () => {
      const m = await conceal(s, GUEST, { secret: 'p', passphrase: 'right one' });
      expectError(await revealV2(s, GUEST, m.secretKey, { passphrase: 'wrong' }), 422, { error: 'Incorrect passphrase', error_type: 'FormError' });
      expect(ok(await revealV2(s, GUEST, m.secretKey, { passphrase: 'right one' })).record.secret_value).toBe('p');
    });
  });

  describe('guest receipts: v3 shape', () => {
    it('GET /guest/receipt/:id → the v3 receipt with links and details', async () => {
      const m = await conceal(s, GUEST, { secret: 'r', ttl: 3600 });
      const view = ok(await get(s, `${GUEST}/receipt/${m.receiptKey}`));
      expect(view).toEqual(freshReceiptView(facts(m, 3600), 'v3'));
      expectNativeTypes(view);
      expectError(await get(s, `${GUEST}/receipt/${UNKNOWN_KEY}`), 404, UNKNOWN_RECEIPT);
    });

    it('an account receipt (made through v2 with a recipient): no custid, owner_id, recipients an array', async () => {
      const m = await conceal(s, V2, { secret: 'for a', recipient: 'a@b.example' }, ALICE);
      const { record } = ok(await get(s, `${GUEST}/receipt/${m.receiptKey}`));
      expect(record).not.toHaveProperty('custid');
      expect(record).toMatchObject({
        owner_id: (await s.app.ots.accounts.get(ALICE.email))!.customerId,
        recipients: ['a*****@b*****.example'],
        show_recipients: true,
      });
    });

    it('POST /guest/receipt/:id/burn → the burned v3 receipt; then the secret is gone', async () => {
      const m = await conceal(s, GUEST, { secret: 'burn' });
      const body = ok(await post(s, `${GUEST}/receipt/${m.receiptKey}/burn`, { continue: true }));
      expect(body).toMatchObject({
        success: true,
        record: { identifier: m.receiptKey, state: 'burned', is_burned: true, is_destroyed: true, secret_identifier: '', recipients: null },
        details: { type: 'record', title: 'Secret burned' },
      });
      expect(body.record).not.toHaveProperty('custid');
      expectError(await revealV2(s, GUEST, m.secretKey), 404, UNKNOWN_SECRET);
      const again = ok(await post(s, `${GUEST}/receipt/${m.receiptKey}/burn`, { continue: true }));
      expect([again.success, again.record.state]).toEqual([false, 'burned']);
      const kept = await conceal(s, GUEST, { secret: 'kept' });
      expect(ok(await post(s, `${GUEST}/receipt/${kept.receiptKey}/burn`, { continue: false })).success).toBe(false);
      expectError(await post(s, `${GUEST}/receipt/${UNKNOWN_KEY}/burn`, { continue: true }), 404, UNKNOWN_RECEIPT);
    });
  });

  describe('§8 83 POST /guest/receipts (batch)', () => {
    let made: Made[];
    beforeAll(async () => {
      made = [];
      for (let i = 0; i < 3; i++) made.push(await conceal(s, GUEST, { secret: `batch ${i}`, ttl: 3600 }));
    });
    const rec = (m: Made) => expect.objectContaining(receiptRecordV3(facts(m, 3600)));

    it('an array of 2 ids → {success, records, count: 2} in v3 shape', async () => {
      const body = await batch([made[1]!.receiptKey, made[0]!.receiptKey]);
      expect(body).toEqual({ success: true, records: [rec(made[1]!), rec(made[0]!)], count: 2 });
      for (const r of body.records) expect(r).not.toHaveProperty('custid');
      expectNativeTypes(body);
    });

    it('a CSV string works the same', async () => {
      const body = await batch(`${made[2]!.receiptKey},${made[0]!.receiptKey}`);
      expect(body).toEqual({ success: true, records: [rec(made[2]!), rec(made[0]!)], count: 2 });
    });

    it('unknown ids are left out; count matches records', async () => {
      const body = await batch([UNKNOWN_KEY, made[0]!.receiptKey, 'NOT-a-key']);
      expect(body.records.map((r: { identifier: string }) => r.identifier)).toEqual([made[0]!.receiptKey]);
      expect(body.count).toBe(1);
      expect(await batch([])).toEqual({ success: true, records: [], count: 0 });
    });

    it('25 ids are accepted; 26 (array or CSV) → 422 Too many identifiers', async () => {
      const ids = Array.from({ length: 25 }, (_, i) => (i < 3 ? made[i]!.receiptKey : UNKNOWN_KEY));
      expect((await batch(ids)).count).toBe(3);
      const more = [...ids, UNKNOWN_KEY];
      expectError(await post(s, `${GUEST}/receipts`, { identifiers: more }), 422, TOO_MANY);
      expectError(await post(s, `${GUEST}/receipts`, { identifiers: more.join(',') }), 422, TOO_MANY);
    });
  });

  describe('secret status routes (no auth)', () => {
    it('GET /secret/:id/status → state new, current_expiration; unknown → state unknown', async () => {
      const m = await conceal(s, GUEST, { secret: 'status', ttl: 3600 });
      expect(ok(await get(s, `${V3}/secret/${m.secretKey}/status`))).toEqual(secretStatus(facts(m, 3600)));
      expect(ok(await get(s, `${V3}/secret/${UNKNOWN_KEY}/status`))).toEqual({ success: true, record: { state: 'unknown' } });
      expect(ok(await get(s, `${V3}/secret/${m.secretKey}/status`, { email: ALICE.email, token: 'wrong' })).record.state).toBe('new');
    });

    it('POST /secret/status with CSV or array → records of the known ones and count', async () => {
      const a = await conceal(s, GUEST, { secret: 'a', ttl: 3600 });
      const b = await conceal(s, GUEST, { secret: 'b', ttl: 3600 });
      const expected = { success: true, records: [secretRecord(facts(a, 3600)), secretRecord(facts(b, 3600))], count: 2 };
      expect(ok(await post(s, `${V3}/secret/status`, { identifiers: `${a.secretKey},${UNKNOWN_KEY},${b.secretKey}` }))).toEqual(expected);
      expect(ok(await post(s, `${V3}/secret/status`, { identifiers: [a.secretKey, b.secretKey] }, { header: 'Bearer x' }))).toEqual(expected);
    });
  });
});

describe.each(STORE_KINDS)('v3 on a private instance: ALLOW_ANONYMOUS=false, VERSION_REQUIRES_AUTH=true (%s store)', (kind) => {
  const s = serve(kind, { ALLOW_ANONYMOUS: 'false', VERSION_REQUIRES_AUTH: 'true' });

  it('/version needs credentials; /status does not', async () => {
    expectError(await get(s, `${V3}/version`), 401, { error: 'Not authorized', error_type: 'Unauthorized' });
    expect(ok(await get(s, `${V3}/version`, ALICE))).toEqual({ version: VERSION.split('.'), locale: 'en' });
    expect(ok(await get(s, `${V3}/status`))).toEqual({ status: 'nominal', locale: 'en' });
  });

  it('guest conceal and generate → 403 GuestRoutesDisabled, credentials or not; reveal and receipt stay open', async () => {
    for (const as of [undefined, ALICE]) {
      expectError(await post(s, `${GUEST}/secret/conceal`, { secret: { secret: 'x' } }, as), 403, {
        error: 'Guest conceal is disabled',
        error_type: 'GuestRoutesDisabled',
        code: 'GUEST_CONCEAL_DISABLED',
      });
      expectError(await post(s, `${GUEST}/secret/generate`, { secret: {} }, as), 403, {
        error: 'Guest generate is disabled',
        error_type: 'GuestRoutesDisabled',
        code: 'GUEST_GENERATE_DISABLED',
      });
    }
    const m = await conceal(s, V2, { secret: 'made by alice' }, ALICE);
    expect(ok(await get(s, `${GUEST}/receipt/${m.receiptKey}`)).record.state).toBe('new');
    expect(ok(await revealV2(s, GUEST, m.secretKey)).record.secret_value).toBe('made by alice');
  });
});

describe.each(STORE_KINDS)('v3 guest with RECEIPTS_OWNER_ONLY=true (%s store)', (kind) => {
  const s = serve(kind, { RECEIPTS_OWNER_ONLY: 'true' });

  it('an account receipt is unknown to the guest routes (always anonymous); anonymous receipts are not', async () => {
    const mine = await conceal(s, V2, { secret: 'mine' }, ALICE);
    const anon = await conceal(s, GUEST, { secret: 'anon' });
    expectError(await get(s, `${GUEST}/receipt/${mine.receiptKey}`, ALICE), 404, UNKNOWN_RECEIPT);
    expectError(await post(s, `${GUEST}/receipt/${mine.receiptKey}/burn`, { continue: true }, ALICE), 404, UNKNOWN_RECEIPT);
    const body = ok(await post(s, `${GUEST}/receipts`, { identifiers: [mine.receiptKey, anon.receiptKey] }));
    expect(body.records.map((r: { identifier: string }) => r.identifier)).toEqual([anon.receiptKey]);
    expect(body.count).toBe(1);
    expect(ok(await get(s, `${V2}/receipt/${mine.receiptKey}`, ALICE)).record.state).toBe('new'); // not burned
  });
});
